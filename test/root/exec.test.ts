// `rootless exec` and `run -t` as real root: host root is not mapped in the container's user
// namespace, so nsenter makes the exec stage the namespace's root (the path a user does not take).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defaultUserNamespace } from '../../lib/runtime/idmap.js';
import { e2e } from '../e2e/harness.js';
import { pullIntoSandbox, rootless, rootlessAsync, waitFor, watch } from '../e2e/run-helpers.js';

const { box, image, env } = await pullIntoSandbox('exec', e2e.images.alpine.reference);
const containerRoot = defaultUserNamespace().uidMappings[0]!.hostID;
const child = rootlessAsync(['run', '--rm', '--name', 'target', image, 'sleep', '600'], env);
const watched = watch(child);

test.before(async () => {
  assert.ok(await waitFor(() => rootless(['exec', 'target', 'true'], env).exitCode === 0, 30_000), 'the container never ran');
});

test.after(async () => {
  child.kill('SIGKILL'); // the CLI's death ends the container (sleep as PID 1 has no handler for others)
  await watched.exit;
  await box.cleanup();
});

test("exec as root: the container's root (not host root), its capabilities and seccomp filter", () => {
  const result = rootless(['exec', 'target', 'sh', '-c', 'id -u; cat /proc/self/uid_map; cat /proc/1/status; echo ===; cat /proc/self/status'], env);
  assert.is(result.exitCode, 0, result.stderr);
  const [head, own] = result.stdout.split('===');
  const [uid, map, ...init] = head!.trim().split('\n');
  assert.is(uid, '0');
  assert.equal(map!.trim().split(/\s+/), ['0', String(containerRoot), '65536']);
  const field = (text: string, name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(text)?.[1];
  for (const name of ['CapEff', 'CapBnd', 'Seccomp']) assert.is(field(own!, name), field(init.join('\n'), name), name);
});

test('exec -u and exit codes as root', () => {
  assert.is(rootless(['exec', '-u', '1000', 'target', 'id', '-u'], env).stdout.trim(), '1000');
  assert.is(rootless(['exec', 'target', 'sh', '-c', 'exit 3'], env).exitCode, 3);
  assert.is(rootless(['exec', 'target', 'no-such-command'], env).exitCode, 127);
});

test('run -t and exec -t as root: a terminal of the container, owned by its user', () => {
  const run = rootless(['run', '--rm', '-t', image, 'sh', '-c', 'tty; stat -c %u $(tty)'], env);
  assert.is(run.exitCode, 0, run.stderr);
  assert.is(run.stdout, '/dev/pts/0\r\n0\r\n');
  const exec = rootless(['exec', '-t', 'target', 'tty'], env);
  assert.is(exec.stdout, '/dev/pts/0\r\n', exec.stderr);
});

test.run();
