import net from 'node:net';
import * as assert from 'uvu/assert';
import type { RootlessError } from '../../lib/errors.js';
import { parseNetwork, startNetwork, type RunningNetwork } from '../../lib/net/index.js';
import { driverSuite } from './network-drivers.js';
import { holdNetworkNamespace } from './netns-holder.js';

const test = driverSuite('slirp4netns', {
  network: 'slirp4netns',
  // With --disable-host-loopback, slirp4netns drops UDP answers to a client on the host's
  // loopback (podman#4586); answers to other clients are not affected.
  udpNetwork: 'slirp4netns:allow_host_loopback=true',
  udpSamePort: false,
  interfaceName: 'tap0',
  address: /inet 10\.0\.2\.100\/24/,
  defaultRoute: /^default via 10\.0\.2\.2 dev tap0/m,
  nameserver: '10.0.2.3',
  sourceAddress: '10.0.2.2',
});

/** From inside, connect to 10.0.2.2:PORT, where a server on the host's 127.0.0.1:PORT answers. */
async function reachHostLoopback(network: string): Promise<{ seen: string; running: RunningNetwork }> {
  const server = net.createServer((socket) => socket.end('host-loopback'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const holder = await holdNetworkNamespace();
  let running: RunningNetwork | undefined;
  try {
    running = await startNetwork(parseNetwork(network, () => true), holder.pid, {});
    const seen = await holder.connect('10.0.2.2', (server.address() as net.AddressInfo).port);
    return { seen, running };
  } finally {
    await running?.stop();
    await holder.kill();
    server.close();
  }
}

test('the host loopback is reachable at 10.0.2.2 only with allow_host_loopback=true', async () => {
  const allowed = await reachHostLoopback('slirp4netns:allow_host_loopback=true');
  assert.is(allowed.seen, 'host-loopback');
  assert.equal(allowed.running.hostsEntries.at(-1), { address: '10.0.2.2', names: ['host.containers.internal', 'host.docker.internal'] });
  const refused = await reachHostLoopback('slirp4netns');
  assert.match(refused.seen, /^error E/);
});

test('another cidr moves every address', async () => {
  const holder = await holdNetworkNamespace();
  let running: RunningNetwork | undefined;
  try {
    running = await startNetwork(parseNetwork('slirp4netns:cidr=10.0.3.0/24,mtu=1500', () => true), holder.pid, {});
    const addresses = (await holder.run(['busybox', 'ip', 'addr', 'show', 'tap0'])).stdout;
    assert.match(addresses, /mtu 1500/);
    assert.match(addresses, /inet 10\.0\.3\.100\/24/);
    assert.is(running.resolvConf.split('\n')[0], 'nameserver 10.0.3.3');
  } finally {
    await running?.stop();
    await holder.kill();
  }
});

test('an IPv6 host address is refused before slirp4netns starts', async () => {
  const ports = [{ hostIP: '::1', hostPort: 40080, containerPort: 80, protocol: 'tcp' as const }];
  try {
    await startNetwork(parseNetwork('slirp4netns', () => true), process.pid, { ports });
    assert.unreachable('started');
  } catch (error) {
    assert.match((error as RootlessError).line, /slirp4netns cannot publish on the IPv6 address ::1\. .*use --network pasta/);
  }
});

test.run();
