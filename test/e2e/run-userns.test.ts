// User-namespace flags of `rootless run` as an unprivileged user: --userns=keep-id, --uidmap and
// --gidmap inside the user's own ids, --userns=host and =auto refused, `-v …:idmap` where the
// kernel refuses it to a user.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readSubIds } from '../../lib/runtime/idmap.js';
import { e2e } from './harness.js';
import { pullIntoSandbox, rootless } from './run-helpers.js';

const { box, image, env } = await pullIntoSandbox('run-userns', e2e.images.alpine.reference);
const me = os.userInfo();
const subuids = readSubIds('/etc/subuid', { uid: me.uid, name: me.username });
const run = (args: string[]) => rootless(['run', '--rm', ...args], env);

test.after(() => box.cleanup());

/** The one error line of a refused run, which must exit 125 and start nothing. */
function refusal(args: string[]): string {
  const result = run([...args, image, 'true']);
  assert.is(result.exitCode, 125, result.stdout);
  const lines = result.stderr.trim().split('\n');
  assert.is(lines.length, 1, result.stderr);
  return lines[0]!;
}

test('--userns=keep-id: the user keeps its uid and gid inside; its bind-mounted files show as its own', () => {
  assert.is.not(me.uid, 0, 'run this suite as an unprivileged user');
  const dir = mkdtempSync(path.join(box.dir, 'home-'));
  writeFileSync(path.join(dir, 'mine'), 'x');
  const result = run(['--userns=keep-id', '-v', `${dir}:/home/me`, image, 'sh', '-c', 'id -u; id -g; stat -c %u:%g /home/me/mine; touch /home/me/made; cat /proc/self/uid_map']);
  assert.is(result.exitCode, 0, result.stderr);
  const [uid, gid, owner, ...map] = result.stdout.trim().split('\n');
  assert.equal([uid, gid, owner], [String(me.uid), String(os.userInfo().gid), `${me.uid}:${os.userInfo().gid}`]);
  // made by the container's process (the user's id inside): the user's own file on the host
  assert.equal([statSync(path.join(dir, 'made')).uid, statSync(path.join(dir, 'made')).gid], [me.uid, os.userInfo().gid]);
  const lines = map.map((line) => line.trim().split(/\s+/).map(Number));
  assert.ok(lines.some(([inside, outside, size]) => inside === me.uid && outside === me.uid && size === 1), map.join('\n'));
  const zero = lines.find(([inside]) => inside === 0)!;
  assert.ok(subuids.some((range) => zero[1]! >= range.start && zero[1]! < range.start + range.count), "container root is one of the user's subordinate ids");
});

test('--userns=keep-id with --user: the flag wins; --rm removes what its root made', () => {
  const result = run(['--userns=keep-id', '--user', '0', image, 'sh', '-c', 'id -u; mkdir -p /x/y && touch /x/y/z && chown 5 /x/y/z && chmod 700 /x/y']);
  assert.is(result.exitCode, 0, result.stderr);
  assert.is(result.stdout.trim(), '0');
  assert.equal(box.list('containers'), []);
});

test('--uidmap/--gidmap inside the user ids are written as given', () => {
  const range = subuids[0]!;
  const maps = ['--uidmap', `0:${me.uid}:1`, '--uidmap', `1:${range.start}:1000`];
  const result = run([...maps, image, 'cat', '/proc/self/uid_map']);
  assert.is(result.exitCode, 0, result.stderr);
  const lines = result.stdout.trim().split('\n').map((line) => line.trim().split(/\s+/).map(Number));
  assert.equal(lines, [[0, me.uid, 1], [1, range.start, 1000]]);
});

test('--uidmap outside the user ids, without the user id, or malformed: one clear line each', () => {
  assert.match(refusal(['--uidmap', `0:${me.uid}:1`, '--uidmap', '1:5000:10']), /^Error: --uidmap 1:5000:10 uses host ids 5000-5009 that are not yours to map\. Use your id \d+ or ids inside your subordinate ranges \(.+\)$/);
  const range = subuids[0]!;
  assert.match(refusal(['--uidmap', `0:${range.start}:10`]), new RegExp(`^Error: --uidmap must map your own uid ${me.uid}: `));
  assert.match(refusal(['--uidmap', '0:1:x']), /^Error: invalid --uidmap "0:1:x"\. Write it as --uidmap CONTAINER:HOST:SIZE/);
  assert.match(refusal(['--uidmap', `1:${me.uid}:1`]), /^Error: --uidmap does not map container id 0/);
});

test('--userns=host is refused for a user, with the reason; --userns=auto is for root', () => {
  assert.match(refusal(['--userns=host']), /^Error: --userns=host is not possible without privileges: rootless needs a user namespace of its own .*--userns=keep-id keeps your uid and gid inside the container$/);
  assert.match(refusal(['--userns=auto']), /^Error: --userns=auto needs root/);
  assert.match(refusal(['--userns=bogus']), /^Error: invalid --userns value "bogus"/);
});

test('-v SRC:DST:idmap on a host disk: the kernel refuses it to a user, and the line says why and what instead', () => {
  const dir = mkdtempSync(path.join(box.dir, 'idmap-'));
  const line = refusal(['-v', `${dir}:/data:idmap`]);
  assert.is(line, `Error: cannot ID-map the volume ${dir}: the kernel lets only root of the user namespace that mounted a filesystem ID-map it (for a host disk, real root). Drop :idmap; --userns=keep-id shows your own files as your uid inside`);
  // nothing half-made is left: no container directories
  assert.equal(box.list('containers'), []);
  assert.not.match(readFileSync('/proc/self/mountinfo', 'utf8'), dir);
});

test.run();
