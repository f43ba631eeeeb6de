// `rootless logs` of detached containers, as the unprivileged test user: the monitor (stage 1's
// shell) stamps each line of the container's output; `logs` shows the output exactly as written,
// `logs -t` with docker's RFC 3339 times, with --tail and -f too.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { e2e, said, type Sandbox } from './harness.js';
import { pullIntoSandbox } from './run-helpers.js';

const IMAGE = e2e.images.alpine!.reference;
const TIMED = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z) (.*)$/;
// what the clocks may differ by: the stamps are to the centisecond from a boot time to the centisecond
const SLACK_MS = 60_000;
let box: Sandbox;

test.before(async () => {
  ({ box } = await pullIntoSandbox('lifecycle-logs', IMAGE));
});

test.after(async () => {
  const left = await box.rootless(['ps', '-a', '-q']);
  if (left.stdout.trim()) await box.rootless(['rm', '-f', ...left.stdout.trim().split('\n')]);
  await box.cleanup();
});

async function runDetached(args: string[]): Promise<void> {
  const result = await box.rootless(['run', '-d', ...args]);
  assert.is(result.exitCode, 0, said(result));
}

/** The times and texts of `logs -t` lines; asserts each has docker's time format. */
function timedLines(stdout: string): Array<{ time: number; text: string }> {
  return stdout.split('\n').slice(0, -1).map((line) => {
    const match = TIMED.exec(line);
    assert.ok(match, `a time first: ${JSON.stringify(line)}`);
    return { time: Date.parse(match![1]!), text: match![2]! };
  });
}

function assertTimesBetween(times: number[], from: number, to: number): void {
  for (const [index, time] of times.entries()) {
    assert.ok(time >= from - SLACK_MS && time <= to + SLACK_MS, `${new Date(time).toISOString()} near the run`);
    if (index) assert.ok(time >= times[index - 1]!, 'times do not go back');
  }
}

const OUTPUT = ['first', '', '   leading spaces', 'back\\slash \\n', 'to stderr'];
const PRINT = `echo first; echo; echo "   leading spaces"; printf '%s\\n' 'back\\slash \\n'; sleep 0.2; echo "to stderr" >&2; printf 'no newline'`;

test('logs shows the output exactly; -t puts a time before each line', async () => {
  const before = Date.now();
  await runDetached(['--name', 'printer', IMAGE, 'sh', '-c', PRINT]);
  const waited = await box.rootless(['wait', 'printer']);
  assert.is(waited.stdout, '0\n', said(waited));
  const after = Date.now();
  const logs = await box.rootless(['logs', 'printer']);
  assert.is(logs.exitCode, 0, said(logs));
  assert.is(logs.stdout, `${OUTPUT.join('\n')}\nno newline`);
  const timed = await box.rootless(['logs', '-t', 'printer']);
  assert.is(timed.exitCode, 0, said(timed));
  const lines = timedLines(`${timed.stdout}\n`);
  assert.equal(lines.map((line) => line.text), [...OUTPUT, 'no newline']);
  assertTimesBetween(lines.map((line) => line.time), before, after);
  const last = await box.rootless(['logs', '-t', '--tail', '1', 'printer']);
  assert.match(last.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z no newline$/);
  assert.is((await box.rootless(['logs', '--tail', '2', 'printer'])).stdout, 'to stderr\nno newline');
  const again = await box.rootless(['start', '-a', 'printer'], { timeout: 30_000 });
  assert.is(again.stdout, `${OUTPUT.join('\n')}\nno newline`, said(again));
  assert.is((await box.rootless(['logs', 'printer'])).stdout, `${OUTPUT.join('\n')}\nno newline`.repeat(2), 'the next start adds its output');
});

test('logs -f -t prints timed lines as they come and returns when the container exits', async () => {
  const before = Date.now();
  await runDetached(['--name', 'counter', IMAGE, 'sh', '-c', 'for i in 1 2 3 4 5; do echo line $i; sleep 0.3; done']);
  const follow = await box.rootless(['logs', '-f', '-t', 'counter'], { timeout: 30_000 });
  const after = Date.now();
  assert.is(follow.exitCode, 0, said(follow));
  const lines = timedLines(follow.stdout);
  assert.equal(lines.map((line) => line.text), ['line 1', 'line 2', 'line 3', 'line 4', 'line 5']);
  assertTimesBetween(lines.map((line) => line.time), before, after);
  assert.is((await box.rootless(['logs', '-t', '--tail', '2', 'counter'])).stdout.split('\n').filter((line) => TIMED.test(line)).length, 2);
});

test('a container killed by a signal leaves only its own output in the log', async () => {
  await runDetached(['--name', 'sleeper', IMAGE, 'sh', '-c', 'echo up; exec sleep 1000']);
  const kill = await box.rootless(['kill', 'sleeper']);
  assert.is(kill.exitCode, 0, said(kill));
  assert.is((await box.rootless(['wait', 'sleeper'])).stdout, '137\n');
  assert.is((await box.rootless(['logs', 'sleeper'])).stdout, 'up\n');
});

test('signals to the monitor do not cut the log short; PID 1 ignores no signal', async () => {
  await runDetached(['--name', 'steady', IMAGE, 'sh', '-c', 'grep SigIgn /proc/self/status; i=0; while :; do echo tick $i; i=$((i+1)); sleep 0.2; done']);
  const [record] = JSON.parse((await box.rootless(['inspect', 'steady'])).stdout) as Array<{ State: { MonitorPid: number } }>;
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT'] as const) process.kill(record!.State.MonitorPid, signal);
  const ticks = async () => (await box.rootless(['logs', 'steady'])).stdout.split('\n').filter((line) => line.startsWith('tick')).length;
  const before = await ticks();
  let now = before;
  for (let tries = 0; tries < 100 && now < before + 3; tries += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    now = await ticks();
  }
  assert.ok(now >= before + 3, `the log goes on (${before} → ${now} ticks)`);
  assert.match((await box.rootless(['logs', 'steady'])).stdout, /^SigIgn:\s+0+\n/);
  assert.is((await box.rootless(['rm', '-f', 'steady'])).exitCode, 0);
});

test.run();
