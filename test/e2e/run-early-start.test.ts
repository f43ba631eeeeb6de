// bin/rootless starts stage 1 before the CLI's Node for `run` (lib/runtime/early-stage1.ts): the
// CLI adopts it when the run fits, kills it and launches its own when not; `node bin/rootless`
// skips the shell part. Either way the container behaves the same and nothing is left behind.
import { readdirSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { e2e } from './harness.js';
import { BIN, pullIntoSandbox, rootless } from './run-helpers.js';
import { spawnSync } from 'node:child_process';

const { box, image, env } = await pullIntoSandbox('early', e2e.images.alpine.reference);
const timed = { ...env, ROOTLESS_TIMING: '1' };
test.after(() => box.cleanup());

function launchSockets(): string[] {
  return readdirSync(env.XDG_RUNTIME_DIR!).filter((name) => name.startsWith('rootless-launch-'));
}

test('run through bin/rootless adopts the stage 1 the script started', () => {
  const result = rootless(['run', '--rm', image, 'sh', '-c', 'echo $$; hostname'], timed);
  assert.is(result.exitCode, 0, result.stderr);
  assert.match(result.stdout, /^1\n/, 'the command is PID 1 of its own PID namespace');
  assert.match(result.stderr, / rootless early stage 1 adopted$/m);
  assert.match(result.stderr, / stage2 start received$/m);
  assert.equal(launchSockets(), [], 'stage 2 removed its socket once the CLI connected');
});

test('a run that wants other namespaces kills the early stage 1 and launches its own', () => {
  const result = rootless(['run', '--rm', '--network', 'host', image, 'sh', '-c', 'ls /sys/class/net | grep -vx lo | wc -l'], timed);
  assert.is(result.exitCode, 0, result.stderr);
  assert.not.match(result.stderr, /early stage 1 adopted/);
  assert.match(result.stderr, / rootless spawn stage 1$/m);
  assert.equal(launchSockets(), []);
});

test('`node bin/rootless` has no early stage 1 and runs the same', () => {
  const result = spawnSync(process.execPath, [BIN, 'run', '--rm', image, 'echo', 'direct'], { env: timed, encoding: 'utf8' });
  assert.is(result.status, 0, result.stderr);
  assert.is(result.stdout, 'direct\n');
  assert.not.match(result.stderr, /early stage 1 adopted/);
});

test('stdin reaches the container only with -i, on either path', () => {
  assert.is(rootless(['run', '--rm', image, 'cat'], env, 'typed\n').stdout, '', 'without -i the container reads /dev/null');
  assert.is(rootless(['run', '--rm', '-i', image, 'cat'], env, 'typed\n').stdout, 'typed\n');
  const direct = spawnSync(process.execPath, [BIN, 'run', '--rm', image, 'cat'], { env, input: 'typed\n', encoding: 'utf8' });
  assert.is(direct.stdout, '');
});

test('SIGINT from the terminal is not ignored in the container (the early stage 1 is a background job)', () => {
  const result = rootless(['run', '--rm', image, 'grep', 'SigIgn', '/proc/self/status'], env);
  assert.is(result.exitCode, 0, result.stderr);
  assert.is(result.stdout.trim(), 'SigIgn:\t0000000000000000');
});

test.run();
