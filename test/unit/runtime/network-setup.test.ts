import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseNetworkOptions, reserveNetworkPorts } from '../../../lib/runtime/network-setup.js';

test('--network and -p are parsed together; private is pasta where installed', () => {
  const request = parseNetworkOptions({ network: 'slirp4netns:allow_host_loopback=true', publish: ['127.0.0.1:8080:80', '53/udp'], detach: false });
  assert.is(request.mode.kind, 'slirp4netns');
  assert.equal(request.publish, [
    { hostIP: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'tcp' },
    { hostIP: '0.0.0.0', hostPort: undefined, containerPort: 53, protocol: 'udp' },
  ]);
  assert.throws(() => parseNetworkOptions({ network: 'bridge', publish: [], detach: false }), /bridge networks need a privileged network daemon/);
});

test('the default is pasta in the foreground and slirp4netns for a detached container (both installed here)', () => {
  assert.is(parseNetworkOptions({ network: undefined, publish: [], detach: false }).mode.kind, 'pasta');
  assert.is(parseNetworkOptions({ network: 'private', publish: [], detach: true }).mode.kind, 'slirp4netns');
  assert.is(parseNetworkOptions({ network: 'pasta', publish: [], detach: true }).mode.kind, 'pasta', 'a named driver is kept');
});

test("-P publishes the image's ExposedPorts on free host ports; none and host publish nothing", async () => {
  const image = { config: { ExposedPorts: { '80/tcp': {}, '53/udp': {} } } };
  const ports = await reserveNetworkPorts({ mode: parseNetworkOptions({ network: 'slirp4netns', publish: [], detach: false }).mode, publish: [] }, true, image);
  assert.equal(ports.map((port) => [port.containerPort, port.protocol]), [[80, 'tcp'], [53, 'udp']]);
  assert.ok(ports.every((port) => port.hostPort > 0));
  assert.equal(await reserveNetworkPorts({ mode: { kind: 'none' }, publish: [] }, true, image), []);
  assert.equal(await reserveNetworkPorts({ mode: { kind: 'host' }, publish: [] }, false, image), []);
});

test.run();
