// `rootless run --init`: catatonit (or tini-static) as PID 1, as the unprivileged test user. An
// orphan whose parent exits is adopted by PID 1; only an init reaps it (a `sleep` as PID 1 does not).
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { e2e } from './harness.js';
import { findProcesses, pullIntoSandbox, rootless, rootlessAsync, waitFor, watch } from './run-helpers.js';

const { box, image, env } = await pullIntoSandbox('run-init', e2e.images.alpine.reference);

test.after(() => box.cleanup());

function stat(pid: number | string): { comm: string; state: string; ppid: number } {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const [state, ppid] = text.slice(text.lastIndexOf(') ') + 2).split(' ');
  return { comm: text.slice(text.indexOf('(') + 1, text.lastIndexOf(')')), state: state!, ppid: Number(ppid) };
}

/** Zombie `sleep` processes whose parent is one of `parents` (a zombie has no cmdline left: /proc/PID/stat). */
function zombiesOf(parents: number[]): number {
  return readdirSync('/proc')
    .filter((name) => /^[0-9]+$/.test(name))
    .filter((pid) => {
      try {
        const { comm, state, ppid } = stat(pid);
        return comm === 'sleep' && state === 'Z' && parents.includes(ppid);
      } catch {
        return false;
      }
    }).length;
}

test('--init runs the init as PID 1 in front of the command', () => {
  const result = rootless(['run', '--rm', '--init', image, 'sh', '-c', 'tr "\\0" " " < /proc/1/cmdline'], env);
  assert.is(result.exitCode, 0, result.stderr);
  assert.is(result.stdout.trim(), '/dev/init -- sh -c tr "\\0" " " < /proc/1/cmdline');
});

test('an orphaned zombie stays without --init and is reaped with it', async () => {
  for (const [flags, expected] of [[[], 1], [['--init'], 0]] as const) {
    const marker = `${30 + (process.pid % 50)}.${Date.now() % 100000}`;
    // the inner shell leaves `sleep 0.2` behind and exits: PID 1 adopts it
    const child = rootlessAsync(['run', '--rm', ...flags, image, 'sh', '-c', `sh -c "sleep 0.2 &"; exec sleep ${marker}`], env);
    const watched = watch(child);
    const command = await waitFor(() => findProcesses(['sleep', marker])[0]);
    assert.ok(command, 'the container command was not found');
    const parents = [command, stat(command).ppid]; // PID 1 is the command itself, or the init above it
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const zombies = zombiesOf(parents);
    child.kill('SIGTERM');
    if (flags.length === 0) child.kill('SIGKILL'); // a bare `sleep` as PID 1 ignores SIGTERM
    await watched.exit;
    assert.is(zombies, expected, `zombies with ${flags.join(' ') || 'no init'}`);
  }
});

test('--init forwards SIGTERM to the command, which then ends with it', async () => {
  const seconds = `300.${process.pid}`; // only this test's sleep matches
  const child = rootlessAsync(['run', '--rm', '--init', image, 'sleep', seconds], env);
  const watched = watch(child);
  await waitFor(() => findProcesses(['sleep', seconds]).length > 0);
  child.kill('SIGTERM');
  const { code } = await watched.exit;
  assert.is(code, 128 + 15);
});

test.run();
