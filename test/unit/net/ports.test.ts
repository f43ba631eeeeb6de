// reservePorts against the real kernel: binds on 127.0.0.1 only (and one address that is not
// local, which fails before any packet is sent).
import net from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RootlessError } from '../../../lib/errors.js';
import { parsePublish } from '../../../lib/net/options.js';
import { reservePorts } from '../../../lib/net/ports.js';

async function rejection(promise: Promise<unknown>): Promise<RootlessError> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, RootlessError);
    return error as RootlessError;
  }
  throw new Error('expected a RootlessError');
}

async function listening(host = '127.0.0.1'): Promise<net.Server> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return server;
}

const port = (server: net.Server) => (server.address() as net.AddressInfo).port;

test('a host port below ip_unprivileged_port_start is refused for a user, naming the sysctl and the fix', async () => {
  const error = await rejection(reservePorts(parsePublish('80:80'), { privileged: false, unprivilegedPortStart: 1024 }));
  assert.is(error.exitCode, 125);
  assert.match(error.line, /host port 80 is below net\.ipv4\.ip_unprivileged_port_start \(1024\)/);
  assert.match(error.line, /Publish on a host port >= 1024 .*sudo sysctl net\.ipv4\.ip_unprivileged_port_start=80/);
  const range = await rejection(reservePorts(parsePublish('1020-1030:80-90'), { privileged: false, unprivilegedPortStart: 1024 }));
  assert.match(range.line, /host port 1020 is below/);
});

test('a host port in use is refused, naming it; the default address 0.0.0.0 clashes with 127.0.0.1', async () => {
  const server = await listening();
  try {
    const busy = port(server);
    const exact = await rejection(reservePorts(parsePublish(`127.0.0.1:${busy}:80`)));
    assert.match(exact.line, new RegExp(`host port 127\\.0\\.0\\.1:${busy}/tcp is already in use`));
    const all = await rejection(reservePorts(parsePublish(`${busy}:80`)));
    assert.match(all.line, new RegExp(`host port 0\\.0\\.0\\.0:${busy}/tcp is already in use`));
  } finally {
    server.close();
  }
});

test('a free host port is reserved as given; the same port for UDP is separate', async () => {
  const server = await listening();
  const free = port(server);
  await new Promise((resolve) => server.close(resolve));
  const mappings = await reservePorts([...parsePublish(`127.0.0.1:${free}:80`), ...parsePublish(`127.0.0.1:${free}:80/udp`)]);
  assert.equal(mappings, [
    { hostIP: '127.0.0.1', hostPort: free, containerPort: 80, protocol: 'tcp' },
    { hostIP: '127.0.0.1', hostPort: free, containerPort: 80, protocol: 'udp' },
  ]);
});

test('omitted host ports get distinct free ports', async () => {
  const mappings = await reservePorts([...parsePublish('127.0.0.1::80-82'), ...parsePublish('127.0.0.1::53/udp')]);
  assert.equal(mappings.map((m) => m.containerPort), [80, 81, 82, 53]);
  const tcpPorts = mappings.filter((m) => m.protocol === 'tcp').map((m) => m.hostPort);
  assert.is(new Set(tcpPorts).size, 3);
  for (const mapping of mappings) assert.ok(mapping.hostPort >= 1024 && mapping.hostPort <= 65535);
});

test('the same host port published twice is refused', async () => {
  const error = await rejection(reservePorts([...parsePublish('127.0.0.1:40000:80'), ...parsePublish('40000:81')]));
  assert.match(error.line, /host port 0\.0\.0\.0:40000\/tcp is published twice \(for container ports 80 and 81\)/);
});

test('an address that is not the host\'s is refused', async () => {
  const error = await rejection(reservePorts(parsePublish('203.0.113.7:40001:80')));
  assert.match(error.line, /203\.0\.113\.7 is not an address of this host/);
});

test.run();
