// Modes without a helper, and the failures a user must get as one clear line before anything starts.
import { execa } from 'execa';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RootlessError } from '../../lib/errors.js';
import { defaultUserNamespace } from '../../lib/runtime/idmap.js';
import { launchInNamespaces } from '../../lib/runtime/launcher.js';
import { parseNetwork, parsePublish, reservePorts, startNetwork, type RunningNetwork } from '../../lib/net/index.js';
import { readUnprivilegedPortStart } from '../../lib/net/ports.js';
import { childEnv, holdNetworkNamespace } from './netns-holder.js';

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), 'network-cli.js');
const unprivileged = process.getuid?.() !== 0;

async function rootlessError(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, RootlessError);
    return (error as RootlessError).line;
  }
  throw new Error('expected a RootlessError');
}

test('none: the namespace keeps only lo and gets no nameserver (stage 2 brings lo up: run-network tests it)', async () => {
  const holder = await holdNetworkNamespace();
  try {
    const running = await startNetwork(parseNetwork('none', () => true), holder.pid, { ports: [], hostname: 'box' });
    const links = (await holder.run(['busybox', 'ip', '-o', 'link'])).stdout.trim().split('\n');
    assert.is(links.length, 1);
    assert.match(links[0]!, /^1: lo: <LOOPBACK>/, 'no helper touched the namespace');
    assert.not.match(running.resolvConf, /nameserver/);
    assert.equal(running.hostsEntries, []);
    await running.stop();
  } finally {
    await holder.kill();
  }
});

test('host: the host\'s resolv.conf; a process with a network namespace of its own is refused', async () => {
  const running = await startNetwork(parseNetwork('host', () => true), process.pid, {});
  assert.match(running.resolvConf, /nameserver/);
  const holder = await holdNetworkNamespace();
  try {
    assert.match(await rootlessError(startNetwork({ kind: 'host' }, holder.pid)), /--network host, but process \d+ has a network namespace of its own/);
  } finally {
    await holder.kill();
  }
});

test('pasta and slirp4netns refuse to configure the host\'s own network namespace', async () => {
  for (const mode of ['pasta', 'slirp4netns']) {
    const line = await rootlessError(startNetwork(parseNetwork(mode, () => true), process.pid));
    assert.match(line, /is in the host's network namespace, not a container's/);
  }
});

test('a low host port is refused before anything starts, naming the sysctl and the fix', async () => {
  const start = readUnprivilegedPortStart();
  if (!unprivileged || start <= 80) return;
  const line = await rootlessError(reservePorts(parsePublish('127.0.0.1:80:80')));
  assert.match(line, new RegExp(`host port 80 is below net\\.ipv4\\.ip_unprivileged_port_start \\(${start}\\)`));
  assert.match(line, /sudo sysctl net\.ipv4\.ip_unprivileged_port_start=80/);
});

test('a host port held by another container\'s network is refused, naming it', async () => {
  const holder = await holdNetworkNamespace();
  let running: RunningNetwork | undefined;
  try {
    running = await startNetwork(parseNetwork('slirp4netns', () => true), holder.pid, { ports: await reservePorts(parsePublish('127.0.0.1::80')) });
    const taken = running.ports[0]!.hostPort;
    const line = await rootlessError(reservePorts(parsePublish(`127.0.0.1:${taken}:8080`)));
    assert.match(line, new RegExp(`host port 127\\.0\\.0\\.1:${taken}/tcp is already in use`));
  } finally {
    await running?.stop();
    await holder.kill();
  }
});

test('a host port held by a host program is refused too', async () => {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const taken = (server.address() as net.AddressInfo).port;
    assert.match(await rootlessError(reservePorts(parsePublish(`${taken}:80`))), new RegExp(`host port 0\\.0\\.0\\.0:${taken}/tcp is already in use`));
  } finally {
    server.close();
  }
});

test('a helper that fails says why in one line, and leaves nothing running', async () => {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const holder = await holdNetworkNamespace();
  try {
    // a port taken after reservePorts checked it: the helper's own bind fails
    const taken = [{ hostIP: '127.0.0.1', hostPort: (server.address() as net.AddressInfo).port, containerPort: 80, protocol: 'tcp' as const }];
    const pasta = await rootlessError(startNetwork(parseNetwork('pasta', () => true), holder.pid, { ports: taken }));
    assert.match(pasta, new RegExp(`^pasta exited with status \\d+ before the network was up: Failed to bind any port for '-t 127\\.0\\.0\\.1/${taken[0]!.hostPort}:80'`));
    const slirp = await rootlessError(startNetwork(parseNetwork('slirp4netns', () => true), holder.pid, { ports: taken }));
    assert.match(slirp, new RegExp(`^slirp4netns cannot forward host port 127\\.0\\.0\\.1:${taken[0]!.hostPort}/tcp: `));
    const option = await rootlessError(startNetwork(parseNetwork('pasta:--no-such-option', () => true), holder.pid));
    assert.match(option, /^pasta exited with status \d+ before the network was up: .*no-such-option/);
    const helpers = await execa('pgrep', ['-u', String(process.getuid?.()), '-f', `(pasta|slirp4netns) .*${holder.pid}$`], { reject: false });
    assert.is(helpers.stdout, '', 'helper processes left running');
  } finally {
    await holder.kill();
    server.close();
  }
});

test('stage 1 of launchInNamespaces is the pid to pass: its namespaces get the network', async () => {
  const launched = await launchInNamespaces({
    namespaces: ['user', 'mount', 'pid', 'net', 'uts', 'ipc'],
    plan: defaultUserNamespace(),
    argv: ['sleep', '60'],
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  let running: RunningNetwork | undefined;
  try {
    const ports = await reservePorts(parsePublish('127.0.0.1::80'));
    running = await startNetwork(parseNetwork('slirp4netns', () => true), launched.child.pid!, { ports });
    const sleeper = await execa('pgrep', ['-P', String(launched.child.pid)], { reject: false });
    const inside = await execa('nsenter', ['--target', sleeper.stdout.trim() || String(launched.child.pid), '--user', '--net', '--preserve-credentials', 'busybox', 'ip', 'addr', 'show', 'tap0'], { reject: false });
    assert.match(inside.stdout, /inet 10\.0\.2\.100\/24/);
  } finally {
    await running?.stop();
    launched.child.kill('SIGKILL');
    await launched.exited;
  }
});

// An unusable /dev/net/tun, made in a mount namespace of our own: a file we cannot open over it
// (/etc/shadow: its owner is not mapped there, so even namespace root cannot open it).
test('an unusable /dev/net/tun is one line naming chmod 666 for pasta and slirp4netns', async () => {
  if (!unprivileged) return;
  const holder = await holdNetworkNamespace();
  try {
    const script = 'mount --bind /etc/shadow /dev/net/tun || exit 99; for mode in pasta slirp4netns; do "$0" "$1" $mode "$2"; echo "$mode: $?"; done';
    const result = await execa('unshare', ['--user', '--map-root-user', '--mount', 'sh', '-c', script, process.execPath, CLI, String(holder.pid)], {
      reject: false,
      timeout: 30_000,
      env: childEnv(),
      extendEnv: false,
    });
    for (const mode of ['pasta', 'slirp4netns']) assert.match(result.stdout, new RegExp(`^${mode}: 125$`, 'm'));
    const lines = result.stderr.trim().split('\n');
    assert.is(lines.length, 2, result.stderr);
    for (const line of lines) {
      assert.match(line, /^Error: \/dev\/net\/tun is not readable and writable by this user.*sudo chmod 666 \/dev\/net\/tun/);
    }
  } finally {
    await holder.kill();
  }
});

test.run();
