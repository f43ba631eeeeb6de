import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pickContainer } from '../../../lib/container/lookup.js';
import { monitorScript } from '../../../lib/container/monitor.js';
import { generateName } from '../../../lib/container/names.js';
import { parseSignal } from '../../../lib/container/processes.js';
import { commandText, formatPs, portsText } from '../../../lib/container/ps.js';
import { parseTail } from '../../../lib/container/logs.js';
import type { ContainerState } from '../../../lib/container/state.js';
import { humanDuration, statusOf, statusText, type ContainerView } from '../../../lib/container/status.js';
import { RootlessError } from '../../../lib/errors.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const state = (extra: Partial<ContainerState> = {}): ContainerState => ({
  id: 'ab'.repeat(32),
  name: 'web',
  image: 'alpine',
  created: '2026-01-01T11:57:00Z',
  startedAt: '2026-01-01T11:57:00Z',
  command: ['sleep', '1000'],
  ...extra,
});

test('status: the exit record wins, then a live stage 1, else created', () => {
  assert.is(statusOf({ exitCode: 0, finishedAt: '' }, true), 'exited');
  assert.is(statusOf(undefined, true), 'running');
  assert.is(statusOf(undefined, false), 'created');
});

test('status text as docker prints it', () => {
  assert.is(statusText({ state: state(), status: 'running' }, NOW), 'Up 3 minutes');
  assert.is(statusText({ state: state(), status: 'exited', exit: { exitCode: 0, finishedAt: '2026-01-01T11:59:58Z' } }, NOW), 'Exited (0) 2 seconds ago');
  assert.is(statusText({ state: state(), status: 'exited', exit: { exitCode: 137, finishedAt: '2026-01-01T10:00:00Z' } }, NOW), 'Exited (137) 2 hours ago');
  assert.is(statusText({ state: state(), status: 'created' }, NOW), 'Created');
});

test('human durations', () => {
  assert.is(humanDuration(400), 'Less than a second');
  assert.is(humanDuration(1000), '1 second');
  assert.is(humanDuration(59_000), '59 seconds');
  assert.is(humanDuration(61_000), 'About a minute');
  assert.is(humanDuration(3_600_000), 'About an hour');
  assert.is(humanDuration(3 * 86_400_000), '3 days');
});

test('generated names are adjective_noun and avoid names in use', () => {
  const first = generateName(new Set(), () => 0);
  assert.match(first, /^[a-z]+_[a-z]+$/);
  const second = generateName(new Set([first]), () => 0);
  assert.is(second, `${first}1`);
  assert.is.not(generateName(new Set([first]), Math.random), first);
});

test('--tail: a count or all', () => {
  assert.is(parseTail('all'), undefined);
  assert.is(parseTail('3'), 3);
  assert.throws(() => parseTail('x'), (error: unknown) => error instanceof RootlessError);
});

test('signals by name, short name or number', () => {
  assert.is(parseSignal('SIGTERM'), 15);
  assert.is(parseSignal('term'), 15);
  assert.is(parseSignal('KILL'), 9);
  assert.is(parseSignal('10'), 10);
  assert.throws(() => parseSignal('SIGNOPE'), /invalid signal/);
  assert.throws(() => parseSignal('0'), /invalid signal/);
});

test('lookup by name, full id or unique prefix; 125 otherwise', () => {
  const all = [state(), state({ id: 'ac'.repeat(32), name: 'db' })];
  assert.is(pickContainer(all, 'db').name, 'db');
  assert.is(pickContainer(all, 'abab').name, 'web');
  assert.throws(() => pickContainer(all, 'a'), /ambiguous/);
  try {
    pickContainer(all, 'nope');
    assert.unreachable();
  } catch (error) {
    assert.instance(error, RootlessError);
    assert.is((error as RootlessError).exitCode, 125);
    assert.match((error as Error).message, /no such container: nope/);
  }
});

test('ps: columns, ports, -q and json; only running ones without -a', () => {
  const running: ContainerView = { state: state({ ports: [{ hostIP: '0.0.0.0', hostPort: 8080, containerPort: 80, protocol: 'tcp' }] }), status: 'running' };
  const exited: ContainerView = { state: state({ id: 'cd'.repeat(32), name: 'old', command: ['sh', '-c', 'a long command line here'] }), status: 'exited', exit: { exitCode: 2, finishedAt: '2026-01-01T11:59:00Z' } };
  const text = formatPs([running, exited], { format: 'text' }, NOW);
  assert.match(text, /^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES\n/);
  assert.match(text, /abababababab\s+alpine\s+"sleep 1000"\s+3 minutes ago\s+Up 3 minutes\s+0\.0\.0\.0:8080->80\/tcp\s+web\n$/);
  assert.match(formatPs([running, exited], { all: true, format: 'text' }, NOW), /Exited \(2\) About a minute ago\s+old/);
  assert.is(formatPs([running, exited], { all: true, quiet: true, format: 'text' }), 'abababababab\ncdcdcdcdcdcd\n');
  const json = JSON.parse(formatPs([running], { format: 'json' }, NOW)) as Array<Record<string, unknown>>;
  assert.is(json[0]!.State, 'running');
  assert.is(json[0]!.Status, 'Up 3 minutes');
  assert.is(portsText([{ hostIP: '::1', hostPort: 1, containerPort: 2, protocol: 'udp' }]), '[::1]:1->2/udp');
  assert.is(commandText(['sh', '-c', 'a long command line here']), '"sh -c a long comman…"');
});

test('the monitor records the exit with builtins only, in its cwd (the bundle), and ends a detached helper', () => {
  const script = monitorScript({ detached: true });
  assert.ok(script.startsWith(`printf '{"exitCode":%d}\\n' "$status" > exit; `), script);
  assert.match(script, /read -r helper _ < network\.pid; then kill "\$helper"/);
  assert.ok(script.endsWith('exit "$status"'));
  assert.not.match(monitorScript({ detached: false }), /kill/);
  for (const program of ['date', 'mv ', 'rm ', '/']) assert.not.ok(script.replace('2>/dev/null', '').includes(program), `no fork, no absolute path: ${program}`);
});

test.run();
