// A user without subordinate ids (or without newuidmap) still gets containers: a single-id user
// namespace (container root = the user), one warning line naming the fix, and ownership of the
// image's files collapsed to the user — what does not need other ids keeps working.
import { chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runRootless } from '../e2e/doctor-cli.js';
import { e2e } from '../e2e/harness.js';
import { createUserWithoutSubIds, removeUser } from './users.js';

const user = `rlsingle${process.pid % 100000}`;
const image = e2e.images.alpine.reference;
let scratch: string;
let env: NodeJS.ProcessEnv;
let uid: number;

test.before(async () => {
  await createUserWithoutSubIds(user);
  uid = Number((await execa('id', ['-u', user])).stdout);
  const gid = Number((await execa('id', ['-g', user])).stdout);
  scratch = mkdtempSync(path.join(os.tmpdir(), 'rootless-single-id-'));
  const home = path.join(scratch, 'home');
  const runtime = path.join(scratch, 'run');
  mkdirSync(home);
  mkdirSync(runtime, { mode: 0o700 });
  for (const dir of [scratch, home, runtime]) chownSync(dir, uid, gid);
  env = { HOME: home, USER: user, PATH: '/usr/local/bin:/usr/bin:/bin', XDG_RUNTIME_DIR: runtime, ROOTLESS_STORE: path.join(home, 'store') };
});

test.after(async () => {
  rmSync(scratch, { recursive: true, force: true });
  assert.ok(await removeUser(user), `userdel left ${user} in /etc/subuid or /etc/subgid`);
});

test('pull works with one warning line and a note that owners were collapsed', async () => {
  const pulled = await runRootless(['pull', image], { user, env });
  assert.is(pulled.exitCode, 0, pulled.stderr);
  assert.match(pulled.stderr, `user ${user} has no subordinate ids`);
  assert.match(pulled.stderr, 'sudo usermod --add-subuids');
});

test('run: container root is the user (a single-id map), files of other owners show as root', async () => {
  const result = await runRootless(
    ['run', '--rm', image, 'sh', '-c', 'id -u; cat /proc/self/uid_map; stat -c %g /etc/shadow; echo written > /root/x && cat /root/x'],
    { user, env },
  );
  assert.is(result.exitCode, 0, result.stderr);
  assert.match(result.stderr, new RegExp(`^WARN: user ${user} has no subordinate ids .*Fix: sudo usermod --add-subuids`));
  const [id, map, shadowGroup, written] = result.stdout.trim().split('\n');
  assert.is(id, '0');
  assert.equal(map!.trim().split(/\s+/), ['0', String(uid), '1']);
  assert.is(shadowGroup, '0', "/etc/shadow's group (42 in the image) collapsed to the user, root inside");
  assert.is(written, 'written');
});

test.run();
