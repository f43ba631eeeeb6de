// The container lifecycle end to end, as the unprivileged test user: `run -d` leaves a container
// running under its monitor (stage 1's shell) after the CLI exits; ps, logs, stop, kill, wait, rm,
// start, restart, inspect, top and container prune act on it by name or id prefix.
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { e2e, said, type Sandbox } from './harness.js';
import { pullIntoSandbox, waitFor } from './run-helpers.js';

const IMAGE = e2e.images.alpine!.reference;
let box: Sandbox;

test.before(async () => {
  ({ box } = await pullIntoSandbox('lifecycle', IMAGE));
});

test.after(async () => {
  const left = await box.rootless(['ps', '-a', '-q']);
  if (left.stdout.trim()) await box.rootless(['rm', '-f', ...left.stdout.trim().split('\n')]);
  await box.cleanup();
});

/** `run -d …`; asserts it printed a 64-hex id and returns it. */
async function runDetached(args: string[]): Promise<string> {
  const result = await box.rootless(['run', '-d', ...args]);
  assert.is(result.exitCode, 0, said(result));
  const id = result.stdout.trim();
  assert.match(id, /^[0-9a-f]{64}$/);
  return id;
}

function containersDir(): string {
  return path.join(box.env.ROOTLESS_RUNTIME_DIR!, 'containers');
}

function stateOf(id: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(containersDir(), id, 'state.json'), 'utf8')) as Record<string, unknown>;
}

function alive(pid: unknown): boolean {
  return typeof pid === 'number' && existsSync(`/proc/${pid}`) && !/\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

/** Host pids whose pid namespace is `namespace` (`pid:[N]`); zombies (this machine's init may be slow to reap them) aside. */
function pidsInNamespace(namespace: unknown): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readlinkSync(`/proc/${pid}/ns/pid`) === namespace && alive(Number(pid));
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Polls an async condition every 100 ms, at most `limitMs`. */
async function until(condition: () => Promise<boolean>, limitMs = 10_000): Promise<boolean> {
  const end = Date.now() + limitMs;
  while (!(await condition())) {
    if (Date.now() > end) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

async function psLine(name: string, all = true): Promise<string | undefined> {
  const ps = await box.rootless(['ps', ...(all ? ['-a'] : [])]);
  assert.is(ps.exitCode, 0, said(ps));
  return ps.stdout.split('\n').find((line) => line.trimEnd().endsWith(` ${name}`));
}

const LOOP = 'trap "echo got-term; exit 3" TERM; echo started; i=0; while :; do echo tick $i; i=$((i+1)); sleep 0.2; done';

test('run -d returns the id at once; ps shows the container Up, logs shows its output', async () => {
  const id = await runDetached(['--name', 'ticker', IMAGE, 'sh', '-c', LOOP]);
  const line = await psLine('ticker', false);
  assert.ok(line, 'ps lists the running container');
  assert.ok(line!.startsWith(id.slice(0, 12)), line);
  assert.match(line!, /Up /);
  assert.ok(await waitFor(() => readFileSync(path.join(containersDir(), id, 'container.log'), 'utf8').includes('tick 3')), 'the container keeps running after the CLI exited');
  const logs = await box.rootless(['logs', 'ticker']);
  assert.is(logs.exitCode, 0, said(logs));
  assert.ok(logs.stdout.startsWith('started\ntick 0\n'), logs.stdout);
  const tail = await box.rootless(['logs', '--tail', '2', id.slice(0, 8)]);
  assert.is(tail.stdout.split('\n').filter(Boolean).length, 2, tail.stdout);
  assert.match(tail.stdout, /^tick \d+\ntick \d+\n$/);
  const json = JSON.parse((await box.rootless(['ps', '--format', 'json'])).stdout) as Array<{ Id: string; State: string; Names: string[] }>;
  assert.ok(json.some((entry) => entry.Id === id && entry.State === 'running' && entry.Names[0] === 'ticker'));
  const quiet = await box.rootless(['ps', '-q']);
  assert.ok(quiet.stdout.split('\n').includes(id.slice(0, 12)));
});

test('top lists the container processes (host pids in its pid namespace)', async () => {
  const top = await box.rootless(['top', 'ticker']);
  assert.is(top.exitCode, 0, said(top));
  assert.match(top.stdout, /^UID\s+PID\s+PPID\s+CMD\n/);
  assert.match(top.stdout, /sh -c trap/);
  const init = Number(top.stdout.split('\n')[1]!.trim().split(/\s+/)[1]);
  const [record] = JSON.parse((await box.rootless(['inspect', 'ticker'])).stdout) as Array<{ State: { Pid: number; Running: boolean } }>;
  assert.is(record!.State.Running, true);
  assert.is(init, record!.State.Pid, 'PID 1 comes first');
});

test('stop sends SIGTERM (the trap exits 3) within the timeout; ps -a, wait and inspect show the exit', async () => {
  const stop = await box.rootless(['stop', '-t', '20', 'ticker']);
  assert.is(stop.exitCode, 0, said(stop));
  assert.is(stop.stdout, 'ticker\n');
  assert.match((await psLine('ticker'))!, /Exited \(3\) .* ago/);
  assert.is((await psLine('ticker', false)), undefined, 'ps without -a hides it');
  const waited = await box.rootless(['wait', 'ticker']);
  assert.is(waited.stdout, '3\n');
  const [record] = JSON.parse((await box.rootless(['inspect', 'ticker'])).stdout) as Array<{ State: Record<string, unknown>; Name: string; Config: { Cmd: string[] } }>;
  assert.is(record!.Name, 'ticker');
  assert.is(record!.State.Status, 'exited');
  assert.is(record!.State.Running, false);
  assert.is(record!.State.ExitCode, 3);
  assert.ok(Date.parse(String(record!.State.FinishedAt)) >= Date.parse(String(record!.State.StartedAt)));
  assert.equal(record!.Config.Cmd, ['sh', '-c', LOOP]);
  assert.match((await box.rootless(['logs', 'ticker'])).stdout, /got-term\n$/);
});

test('start runs it again from its bundle (same upper dir); restart too', async () => {
  const start = await box.rootless(['start', 'ticker']);
  assert.is(start.exitCode, 0, said(start));
  assert.match((await psLine('ticker', false))!, /Up /);
  const restart = await box.rootless(['restart', '-t', '20', 'ticker']);
  assert.is(restart.exitCode, 0, said(restart));
  assert.match((await psLine('ticker', false))!, /Up /);
  const count = (text: string, line: string) => text.split('\n').filter((each) => each === line).length;
  let logs = '';
  assert.ok(await until(async () => count((logs = (await box.rootless(['logs', 'ticker'])).stdout), 'started') === 3), logs);
  assert.is(count(logs, 'got-term'), 2, logs);
});

test('kill -s sends the named signal; plain kill is SIGKILL (137)', async () => {
  const kill = await box.rootless(['kill', '-s', 'SIGTERM', 'ticker']);
  assert.is(kill.exitCode, 0, said(kill));
  assert.is((await box.rootless(['wait', 'ticker'])).stdout, '3\n');
  await runDetached(['--name', 'sleeper', IMAGE, 'sleep', '1000']);
  assert.is((await box.rootless(['kill', 'sleeper'])).exitCode, 0);
  assert.is((await box.rootless(['wait', 'sleeper'])).stdout, '137\n');
  const notRunning = await box.rootless(['kill', 'sleeper']);
  assert.is(notRunning.exitCode, 125);
  assert.match(notRunning.stderr, /is not running/);
  const badSignal = await box.rootless(['kill', '-s', 'SIGNOPE', 'ticker']);
  assert.is(badSignal.exitCode, 125);
  assert.match(badSignal.stderr, /invalid signal "SIGNOPE"/);
});

test('stop of a PID 1 that ignores SIGTERM ends with SIGKILL after -t', async () => {
  await runDetached(['--name', 'stubborn', IMAGE, 'sleep', '1000']);
  const stop = await box.rootless(['stop', '-t', '1', 'stubborn']);
  assert.is(stop.exitCode, 0, said(stop));
  assert.match((await psLine('stubborn'))!, /Exited \(137\)/);
});

test('logs -f prints new output and returns when the container exits', async () => {
  await runDetached(['--name', 'counter', IMAGE, 'sh', '-c', 'for i in 1 2 3 4 5; do echo line $i; sleep 0.3; done']);
  const follow = await box.rootless(['logs', '-f', 'counter'], { timeout: 30_000 });
  assert.is(follow.exitCode, 0, said(follow));
  assert.is(follow.stdout, 'line 1\nline 2\nline 3\nline 4\nline 5\n');
  assert.match((await psLine('counter'))!, /Exited \(0\)/);
});

test('a name in use is refused with 125; an unknown container is 125 with a remedy', async () => {
  const taken = await box.rootless(['run', '-d', '--name', 'ticker', IMAGE, 'true']);
  assert.is(taken.exitCode, 125);
  assert.match(taken.stderr, /^Error: the container name "ticker" is already in use by container [0-9a-f]{12}\. /);
  const racing = await Promise.all([1, 2, 3].map(() => box.rootless(['run', '-d', '--name', 'contested', IMAGE, 'sleep', '1000'])));
  assert.equal(racing.map((result) => result.exitCode).sort(), [0, 125, 125], racing.map(said).join('\n'));
  assert.is((await box.rootless(['ps', '-a', '--format', 'json'])).stdout.split('"contested"').length - 1, 1, 'one container holds the name');
  assert.is((await box.rootless(['rm', '-f', 'contested'])).exitCode, 0);
  for (const command of [['logs'], ['stop'], ['rm'], ['inspect'], ['wait'], ['start'], ['top'], ['kill']]) {
    const result = await box.rootless([...command, 'no-such-thing']);
    assert.is(result.exitCode, 125, command.join(' '));
    assert.match(result.stderr, /^Error: no such container: no-such-thing\. .*ps -a/, command.join(' '));
  }
});

test('a generated name is adjective_noun', async () => {
  const id = await runDetached([IMAGE, 'true']);
  assert.match(String(stateOf(id).name), /^[a-z]+_[a-z]+\d*$/);
  await box.rootless(['wait', id]);
  assert.is((await box.rootless(['rm', id.slice(0, 12)])).exitCode, 0);
  assert.not.ok(existsSync(path.join(containersDir(), id)));
});

test('rm refuses a running container; rm -f ends it, its helper and its directories', async () => {
  const id = await runDetached(['--name', 'victim', IMAGE, 'sleep', '1000']);
  const state = stateOf(id);
  assert.ok(alive(state.pid) && alive(state.helperPid), 'monitor and network helper run');
  const refused = await box.rootless(['rm', 'victim']);
  assert.is(refused.exitCode, 125);
  assert.match(refused.stderr, /is running\. Stop it first/);
  const removed = await box.rootless(['rm', '-f', 'victim']);
  assert.is(removed.exitCode, 0, said(removed));
  assert.is(removed.stdout, 'victim\n');
  assert.not.ok(alive(state.pid) || alive(state.initPid) || alive(state.helperPid));
  assert.not.ok(existsSync(path.join(containersDir(), id)));
  assert.not.ok(existsSync(path.join(box.store, 'containers', id)));
});

test('SIGKILL of the monitor: the next command shows the container exited (137); rm -f leaves nothing', async () => {
  const id = await runDetached(['--name', 'orphan', IMAGE, 'sleep', '1000']);
  const state = stateOf(id);
  process.kill(state.pid as number, 'SIGKILL');
  assert.ok(await waitFor(() => !alive(state.initPid)), "PID 1 dies with its monitor (parent-death signal)");
  assert.match((await psLine('orphan'))!, /Exited \(137\)/);
  assert.ok(await waitFor(() => !alive(state.helperPid)), 'the next command ended the network helper');
  assert.is((await box.rootless(['rm', '-f', 'orphan'])).exitCode, 0);
  assert.equal(pidsInNamespace(state.pidNamespace), []);
  assert.not.ok(existsSync(path.join(containersDir(), id)));
  assert.not.ok(existsSync(state.helperStateDir as string));
});

test('SIGKILL of a foreground run: its container ends; ps -a shows it exited and rm -f cleans up', async () => {
  const cli = box.start(['run', '--name', 'foreground', IMAGE, 'sleep', '1000']);
  assert.ok(await until(async () => (await psLine('foreground', false)) !== undefined));
  const id = readdirSync(containersDir()).find((entry) => stateOf(entry).name === 'foreground')!;
  const state = stateOf(id);
  cli.kill('SIGKILL');
  await cli;
  assert.ok(await waitFor(() => !alive(state.pid)));
  assert.match((await psLine('foreground'))!, /Exited \(137\)/);
  assert.is((await box.rootless(['rm', '-f', 'foreground'])).exitCode, 0);
  assert.not.ok(existsSync(path.join(containersDir(), id)));
});

test('run -d --rm: gone after it exits (the next command removes what the monitor cannot)', async () => {
  const id = await runDetached(['--rm', '--name', 'shortlived', IMAGE, 'sh', '-c', 'exit 7']);
  assert.ok(await waitFor(() => existsSync(path.join(containersDir(), id, 'exit'))));
  assert.is(await psLine('shortlived'), undefined);
  assert.not.ok(existsSync(path.join(containersDir(), id)));
  assert.not.ok(existsSync(path.join(box.store, 'containers', id)));
});

test('-p on a detached container: the port answers while it runs; stop ends the helper', async () => {
  const port = await new Promise<number>((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = server.address() as net.AddressInfo;
      server.close(() => resolve(free));
    });
  });
  const id = await runDetached(['--name', 'web', '-p', `127.0.0.1:${port}:80`, '-v', '/bin/busybox:/opt/busybox:ro', IMAGE, 'sh', '-c',
    'mkdir -p /www && echo lifecycle-web > /www/index.html && exec /opt/busybox httpd -f -p 80 -h /www']);
  const get = () =>
    new Promise<string | undefined>((resolve) => {
      http.get({ host: '127.0.0.1', port, path: '/', timeout: 2000 }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk));
        response.on('end', () => resolve(body));
      }).on('error', () => resolve(undefined));
    });
  let body: string | undefined;
  for (let attempt = 0; attempt < 50 && body === undefined; attempt += 1) {
    body = await get();
    if (body === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.is(body, 'lifecycle-web\n');
  assert.match((await psLine('web', false))!, new RegExp(`127\\.0\\.0\\.1:${port}->80/tcp`));
  const helper = stateOf(id).helperPid;
  assert.is((await box.rootless(['stop', '-t', '1', 'web'])).exitCode, 0);
  assert.ok(await waitFor(() => !alive(helper)), 'the monitor ended the network helper');
});

test('-d -i keeps stdin open (sh waits on it); without -i sh reads end-of-file and exits 0', async () => {
  await runDetached(['-i', '--name', 'reader', IMAGE, 'sh']);
  await runDetached(['--name', 'eof', IMAGE, 'sh']);
  assert.is((await box.rootless(['wait', 'eof'])).stdout, '0\n');
  assert.match((await psLine('reader', false))!, /Up /);
  assert.is((await box.rootless(['rm', '-f', 'reader', 'eof'])).exitCode, 0);
});

test('--network slirp4netns on a detached container: its helper runs while it does, and ends with it', async () => {
  const id = await runDetached(['--name', 'slirp', '--network', 'slirp4netns', IMAGE, 'sleep', '1000']);
  const helper = stateOf(id).helperPid;
  assert.ok(alive(helper), 'slirp4netns outlives the CLI (no --exit-fd)');
  assert.match(readFileSync(`/proc/${helper}/cmdline`, 'utf8'), /slirp4netns/);
  assert.is((await box.rootless(['stop', '-t', '1', 'slirp'])).exitCode, 0);
  assert.ok(await waitFor(() => !alive(helper)), 'the monitor ended it');
});

test('a container first run in the foreground can be started in the background; logs then has its output', async () => {
  const foreground = await box.rootless(['run', '--name', 'fg-then-bg', IMAGE, 'echo', 'hello-from-start']);
  assert.is(foreground.stdout, 'hello-from-start\n');
  assert.match((await psLine('fg-then-bg'))!, /Exited \(0\)/);
  const start = await box.rootless(['start', '-a', 'fg-then-bg']);
  assert.is(start.exitCode, 0, said(start));
  assert.is(start.stdout, 'hello-from-start\n');
  assert.is((await box.rootless(['logs', 'fg-then-bg'])).stdout, 'hello-from-start\n');
});

test('container prune removes the exited containers and keeps the running ones', async () => {
  await runDetached(['--name', 'keeper', IMAGE, 'sleep', '1000']);
  const pruned = await box.rootless(['container', 'prune']);
  assert.is(pruned.exitCode, 0, said(pruned));
  const left = (await box.rootless(['container', 'ls', '-a'])).stdout;
  assert.match(left, / keeper\n/);
  assert.not.match(left, /ticker|stubborn|counter|web/);
  assert.is((await box.rootless(['container', 'rm', '-f', 'keeper'])).exitCode, 0);
  assert.is((await box.rootless(['ps', '-a', '-q'])).stdout, '');
});

test.run();
