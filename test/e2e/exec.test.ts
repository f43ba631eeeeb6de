// `rootless exec` into a running container, as the unprivileged test user. The container runs in
// the foreground as a child of the test (`rootless run --name … sleep`), as a user would start it.
import { mkdtempSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { e2e } from './harness.js';
import { ptySession, shellQuote } from './pty-session.js';
import { BIN, findProcesses, pullIntoSandbox, rootless, rootlessAsync, waitFor, watch, type Watched } from './run-helpers.js';

const { box, image, env } = await pullIntoSandbox('exec', e2e.images.alpine.reference);
const NAME = 'target';
let container: { child: ReturnType<typeof rootlessAsync>; watched: Watched } | undefined;

test.before(async () => {
  const child = rootlessAsync(['run', '--rm', '--name', NAME, '--hostname', 'box', '-e', 'FROM_RUN=yes', image, 'sleep', '600'], env);
  container = { child, watched: watch(child) };
  const ready = await waitFor(() => rootless(['exec', NAME, 'true'], env).exitCode === 0, 30_000);
  assert.ok(ready, `the container never ran: ${rootless(['exec', NAME, 'true'], env).stderr}`);
});

test.after(async () => {
  // a signal other than SIGKILL would not end `sleep` as PID 1 (no handler); the CLI's death ends the container
  container?.child.kill('SIGKILL');
  await container?.watched.exit;
  await box.cleanup();
});

const exec = (args: string[], input?: string) => rootless(['exec', ...args], env, input);

function statusField(status: string, field: string): string | undefined {
  return new RegExp(`^${field}:\\s*(.*)$`, 'm').exec(status)?.[1];
}

test("exec sees the container's PID 1, host name and environment", () => {
  const result = exec([NAME, 'sh', '-c', 'tr "\\0" " " < /proc/1/cmdline; echo; hostname; echo "$FROM_RUN"; echo $$']);
  assert.is(result.exitCode, 0, result.stderr);
  const [cmdline, hostname, fromRun, pid] = result.stdout.split('\n');
  assert.is(cmdline!.trim(), 'sleep 600');
  assert.is(hostname, 'box');
  assert.is(fromRun, 'yes');
  assert.ok(Number(pid) > 1, 'a process of its PID namespace, not PID 1');
});

test("exec runs with the capabilities, seccomp filter and no_new_privs of the container's process", () => {
  const result = exec([NAME, 'sh', '-c', 'cat /proc/1/status; echo ===; cat /proc/self/status']);
  assert.is(result.exitCode, 0, result.stderr);
  const [init, own] = result.stdout.split('===');
  for (const field of ['CapEff', 'CapPrm', 'CapBnd', 'CapInh', 'CapAmb', 'Seccomp', 'NoNewPrivs']) {
    assert.is(statusField(own!, field), statusField(init!, field), field);
  }
  assert.is(statusField(own!, 'Seccomp'), '2', 'the seccomp filter is on');
  assert.is.not(statusField(own!, 'CapBnd'), '000001ffffffffff', 'the default set, not every capability');
});

test('--privileged: every capability of the user namespace', () => {
  const result = exec(['--privileged', NAME, 'grep', 'CapEff', '/proc/self/status']);
  assert.is(result.exitCode, 0, result.stderr);
  assert.match(result.stdout, /CapEff:\s*000001ffffffffff/);
});

test("exit status: the command's, 126 cannot invoke, 127 not found", () => {
  assert.is(exec([NAME, 'true']).exitCode, 0);
  assert.is(exec([NAME, 'sh', '-c', 'exit 3']).exitCode, 3);
  const notExecutable = exec([NAME, '/etc/passwd']);
  assert.is(notExecutable.exitCode, 126);
  assert.match(notExecutable.stderr, /^Error: exec \/etc\/passwd: Permission denied \(EACCES\)\. /);
  const missing = exec([NAME, 'no-such-command']);
  assert.is(missing.exitCode, 127);
  assert.match(missing.stderr, /^Error: exec: "no-such-command": executable file not found in \$PATH\. /);
});

test('-u, -w, -e and --env-file; the user gets its home and no capabilities', () => {
  const file = path.join(mkdtempSync(path.join(box.dir, 'env-')), 'env');
  writeFileSync(file, 'FROM_FILE=1\nFROM_RUN=file\n');
  const result = exec(['-u', 'nobody', '-w', '/tmp', '--env-file', file, '-e', 'FROM_RUN=flag', NAME, 'sh', '-c', 'id -u; id -g; pwd; echo "$FROM_FILE $FROM_RUN $HOME"; grep CapEff /proc/self/status']);
  assert.is(result.exitCode, 0, result.stderr);
  assert.equal(result.stdout.trim().split('\n'), ['65534', '65534', '/tmp', '1 flag /', 'CapEff:\t0000000000000000']);
  const numeric = exec(['-u', '1000:1000', NAME, 'id', '-u']);
  assert.is(numeric.stdout.trim(), '1000', numeric.stderr);
  const unknown = exec(['-u', 'no-such-user', NAME, 'true']);
  assert.is(unknown.exitCode, 125);
  assert.match(unknown.stderr, /^Error: unable to find user no-such-user: no matching entries in the container's \/etc\/passwd\. /);
});

test('stdin reaches the command only with -i', () => {
  assert.is(exec(['-i', NAME, 'cat'], 'hello\n').stdout, 'hello\n');
  assert.is(exec([NAME, 'cat'], 'hello\n').stdout, '');
});

test('an unknown or stopped container: exit 125 and one line', () => {
  const unknown = exec(['no-such-container', 'true']);
  assert.is(unknown.exitCode, 125);
  assert.match(unknown.stderr, /^Error: no such container: no-such-container\. \S.*\n$/);
  const stopped = rootless(['run', '--name', 'stopped', image, 'true'], env);
  assert.is(stopped.exitCode, 0, stopped.stderr);
  const result = exec(['stopped', 'true']);
  assert.is(result.exitCode, 125);
  assert.match(result.stderr, /^Error: container stopped is not running\. /);
  const usage = exec([NAME]);
  assert.is(usage.exitCode, 125);
  assert.match(usage.stderr, /needs a command/);
});

test("--network host and --cgroupns host: exec joins only the namespaces the container has of its own", async () => {
  const child = rootlessAsync(['run', '--rm', '--name', 'hostnet', '--network', 'host', '--cgroupns', 'host', image, 'sleep', '600'], env);
  const watched = watch(child);
  try {
    assert.ok(await waitFor(() => rootless(['exec', 'hostnet', 'true'], env).exitCode === 0, 30_000), 'the container never ran');
    const result = exec(['hostnet', 'sh', '-c', 'readlink /proc/self/ns/net; readlink /proc/self/ns/cgroup; tr "\\0" " " < /proc/1/cmdline']);
    assert.is(result.exitCode, 0, result.stderr);
    const [net, cgroup, cmdline] = result.stdout.split('\n');
    assert.is(net, readlinkSync('/proc/self/ns/net'), "the host's network namespace");
    assert.is(cgroup, readlinkSync('/proc/self/ns/cgroup'));
    assert.is(cmdline!.trim(), 'sleep 600', "the container's PID namespace");
  } finally {
    child.kill('SIGKILL');
    await watched.exit;
  }
});

test('exec into a detached container (run -d), whose stage 1 shell is its monitor', () => {
  const started = rootless(['run', '-d', '--name', 'detached', image, 'sleep', '600'], env);
  assert.is(started.exitCode, 0, started.stderr);
  try {
    const result = exec(['detached', 'sh', '-c', 'tr "\\0" " " < /proc/1/cmdline']);
    assert.is(result.exitCode, 0, result.stderr);
    assert.is(result.stdout.trim(), 'sleep 600');
  } finally {
    rootless(['rm', '-f', 'detached'], env);
  }
});

test('SIGTERM to the exec CLI reaches a trap of the command', async () => {
  const child = rootlessAsync(['exec', NAME, 'sh', '-c', 'trap "echo got TERM; exit 4" TERM; echo ready; while :; do sleep 0.05; done'], env);
  const watched = watch(child);
  assert.ok(await waitFor(() => watched.stdout().includes('ready')), 'the command never started');
  child.kill('SIGTERM');
  assert.is((await watched.exit).code, 4);
  assert.is(watched.stdout(), 'ready\ngot TERM\n');
});

test('nothing exec started is left after its CLI is killed', async () => {
  const argv = ['sleep', `${700 + (process.pid % 100)}`];
  const child = rootlessAsync(['exec', NAME, ...argv], env);
  const watched = watch(child);
  assert.ok(await waitFor(() => findProcesses(argv).length === 1), 'the command was not found');
  child.kill('SIGKILL');
  await watched.exit;
  assert.ok(await waitFor(() => findProcesses(argv).length === 0), 'the command outlived the CLI');
});

test('exec -it: a terminal of the container with the host size; the host terminal is restored', async () => {
  const line = [BIN, 'exec', '-it', NAME, 'sh', '-c', 'echo BEGIN; tty; stty size; echo $TERM; echo END'].map(shellQuote).join(' ');
  const session = ptySession(`stty rows 25 cols 99; echo "before $(stty -g)"; ${line}; echo "status $?"; echo "after $(stty -g)"`, env);
  assert.is(await session.exit, 0, session.output());
  const output = session.output();
  const lines = output.slice(output.indexOf('BEGIN') + 5, output.indexOf('END')).split(/\r?\n/).map((text) => text.trim()).filter(Boolean);
  assert.equal(lines, ['/dev/pts/0', '25 99', 'xterm'], output);
  assert.match(output, /status 0/);
  assert.is(/after (\S+)/.exec(output)?.[1], /before (\S+)/.exec(output)?.[1]);
});

test.run();
