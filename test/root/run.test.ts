// `rootless run` as real root: the container's root is the first id of root's range, never host root.
import { chownSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT_DEFAULT_RANGE, defaultUserNamespace } from '../../lib/runtime/idmap.js';
import { e2e } from '../e2e/harness.js';
import { findProcesses, hostUid, pullIntoSandbox, rootless, rootlessAsync, waitFor, watch } from '../e2e/run-helpers.js';

const { box, image, env } = await pullIntoSandbox('run', e2e.images.alpine.reference);
const plan = defaultUserNamespace();
const containerRoot = plan.uidMappings[0]!.hostID;

test.after(() => box.cleanup());

test('root runs containers in its default range, not as host root', () => {
  assert.is(process.getuid!(), 0, 'run this suite as root');
  assert.is(containerRoot, ROOT_DEFAULT_RANGE.start);
  assert.ok(containerRoot >= 0x70000000, 'root range must stay clear of the ranges useradd gives users');
  const result = rootless(['run', '--rm', image, 'sh', '-c', 'cat /etc/alpine-release; id -u; cat /proc/self/uid_map'], env);
  assert.is(result.exitCode, 0, result.stderr);
  const [release, uid, map] = result.stdout.trim().split('\n');
  assert.match(release!, /^3\.20\./);
  assert.is(uid, '0');
  assert.equal(map!.trim().split(/\s+/), ['0', String(containerRoot), '65536']);
});

test('files written to a volume belong to the mapped ids', () => {
  const dir = mkdtempSync(path.join(box.dir, 'vol-'));
  chownSync(dir, containerRoot, containerRoot);
  const result = rootless(['run', '--rm', '-v', `${dir}:/data`, image, 'sh', '-c', 'touch /data/a /data/b && chown 1000 /data/b'], env);
  assert.is(result.exitCode, 0, result.stderr);
  assert.is(statSync(path.join(dir, 'a')).uid, containerRoot);
  assert.is(statSync(path.join(dir, 'b')).uid, containerRoot + 1000);
});

test('--rm leaves no writable layer; exit codes pass through', () => {
  const containers = path.join(env.ROOTLESS_STORE!, 'containers');
  assert.is(rootless(['run', '--rm', image, 'sh', '-c', 'touch /new; exit 7'], env).exitCode, 7);
  assert.equal(readdirSync(containers), []);
  assert.is(rootless(['run', '--rm', image, 'missing-command'], env).exitCode, 127);
});

test("the process runs as the first id of root's range on the host and dies with a killed CLI", async () => {
  const argv = ['sleep', `${700 + (process.pid % 100)}.${Date.now() % 1_000_000}`];
  const child = rootlessAsync(['run', '--rm', image, ...argv], env);
  const watched = watch(child);
  const pids = await waitFor(() => findProcesses(argv).length > 0 && findProcesses(argv));
  assert.ok(pids && pids.length === 1, 'the container process was not found');
  assert.is(hostUid(pids[0]!), containerRoot);
  child.kill('SIGKILL');
  await watched.exit;
  assert.ok(await waitFor(() => findProcesses(argv).length === 0), 'the container process outlived the CLI');
});

test.run();
