import net from 'node:net';
import os from 'node:os';
import * as assert from 'uvu/assert';
import { parseNetwork, parsePublish, reservePorts, startNetwork, type RunningNetwork } from '../../lib/net/index.js';
import { driverSuite } from './network-drivers.js';
import { holdNetworkNamespace, httpGet } from './netns-holder.js';

// pasta copies the host's address and gateway of its default-route interface.
const hostAddress = Object.values(os.networkInterfaces()).flat().find((info) => info && info.family === 'IPv4' && !info.internal)?.address ?? 'none';

const test = driverSuite('pasta', {
  network: 'pasta',
  udpNetwork: 'pasta',
  // This pasta build (2023-03) loses UDP answers to a 127.0.0.1 client when host port > container port.
  udpSamePort: true,
  interfaceName: 'eth0',
  address: new RegExp(`inet ${hostAddress.replace(/\./g, '\\.')}/`),
  defaultRoute: /^default via \S+ dev eth0/m,
  nameserver: '169.254.1.1',
  // Connections from the host's loopback are spliced: the container sees 127.0.0.1.
  sourceAddress: '127.0.0.1',
});

test('with pasta:--map-gw the host loopback is reachable at the gateway address', async () => {
  const server = net.createServer((socket) => socket.end('host-loopback'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const holder = await holdNetworkNamespace();
  let running: RunningNetwork | undefined;
  try {
    running = await startNetwork(parseNetwork('pasta:--map-gw', () => true), holder.pid, {});
    const gateway = running.hostsEntries.find((entry) => entry.names.includes('host.containers.internal'))?.address;
    assert.ok(gateway, 'host.containers.internal entry');
    assert.match((await holder.run(['busybox', 'ip', 'route'])).stdout, new RegExp(`^default via ${gateway!.replace(/\./g, '\\.')} `, 'm'));
    assert.is(await holder.connect(gateway!, (server.address() as net.AddressInfo).port), 'host-loopback');
  } finally {
    await running?.stop();
    await holder.kill();
    server.close();
  }
});

test('a port published on [::1] reaches a server on :: inside', async () => {
  const holder = await holdNetworkNamespace();
  let running: RunningNetwork | undefined;
  try {
    await holder.serve(80, 5353, 'six', '::');
    running = await startNetwork(parseNetwork('pasta', () => true), holder.pid, { ports: await reservePorts(parsePublish('[::1]::80')) });
    assert.is(await httpGet(running.ports[0]!.hostPort, '::1'), 'six ::1');
  } finally {
    await running?.stop();
    await holder.kill();
  }
});

test('without --map-gw there is no host.containers.internal entry', async () => {
  const holder = await holdNetworkNamespace();
  let running: RunningNetwork | undefined;
  try {
    running = await startNetwork(parseNetwork('pasta', () => true), holder.pid, {});
    assert.equal(running.hostsEntries, []);
  } finally {
    await running?.stop();
    await holder.kill();
  }
});

test.run();
