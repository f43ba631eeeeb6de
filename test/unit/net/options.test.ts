import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RootlessError } from '../../../lib/errors.js';
import { addressInCidr, parseNetwork, parsePublish, publishExposed } from '../../../lib/net/options.js';

const withPasta = () => true;
const withoutPasta = () => false;

function rejects(fn: () => unknown, pattern: RegExp): RootlessError {
  try {
    fn();
  } catch (error) {
    assert.instance(error, RootlessError);
    const rootless = error as RootlessError;
    assert.is(rootless.exitCode, 125);
    assert.match(rootless.line, pattern);
    return rootless;
  }
  throw new assert.Assertion({ message: 'expected a RootlessError', generated: false, operator: 'throws', expects: pattern, actual: 'no error' });
}

test('the default network is pasta where installed, slirp4netns otherwise; private is the default', () => {
  assert.equal(parseNetwork(undefined, withPasta), { kind: 'pasta', args: [], mapGateway: false });
  assert.equal(parseNetwork('private', withPasta).kind, 'pasta');
  const slirp = parseNetwork('private', withoutPasta);
  assert.equal(slirp, { kind: 'slirp4netns', allowHostLoopback: false, mtu: 65520, cidr: '10.0.2.0/24', enableIPv6: false });
  assert.is(parseNetwork('', withoutPasta).kind, 'slirp4netns');
});

test('none and host take no options', () => {
  assert.equal(parseNetwork('none', withPasta), { kind: 'none' });
  assert.equal(parseNetwork('host', withoutPasta), { kind: 'host' });
  rejects(() => parseNetwork('none:x', withPasta), /invalid --network "none:x": "none" takes no options/);
});

test('slirp4netns options in Podman form', () => {
  const mode = parseNetwork('slirp4netns:allow_host_loopback=true,mtu=1500,cidr=10.0.3.0/24,enable_ipv6=true,port_handler=slirp4netns', withPasta);
  assert.equal(mode, { kind: 'slirp4netns', allowHostLoopback: true, mtu: 1500, cidr: '10.0.3.0/24', enableIPv6: true });
  assert.equal(parseNetwork('slirp4netns:outbound_addr=192.0.2.9', withPasta), { ...parseNetwork('slirp4netns', withPasta), outboundAddr: '192.0.2.9' });
});

test('bad slirp4netns options name the value and the expected form', () => {
  rejects(() => parseNetwork('slirp4netns:allow_host_loopback=yes', withPasta), /allow_host_loopback must be true or false, not "yes"/);
  rejects(() => parseNetwork('slirp4netns:mtu=70000', withPasta), /mtu must be a number from 68 to 65521, not "70000"/);
  rejects(() => parseNetwork('slirp4netns:cidr=10.0.2.0/28', withPasta), /cidr must be an IPv4 network from \/8 to \/25/);
  rejects(() => parseNetwork('slirp4netns:port_handler=rootlesskit', withPasta), /port_handler=rootlesskit is not supported.*Use port_handler=slirp4netns/);
  rejects(() => parseNetwork('slirp4netns:speed=fast', withPasta), /unknown slirp4netns option "speed". Known options: allow_host_loopback=true\|false/);
});

test('pasta options pass through; --map-gw is ours', () => {
  assert.equal(parseNetwork('pasta:-T,8000,--map-gw', withoutPasta), { kind: 'pasta', args: ['-T', '8000'], mapGateway: true });
});

test('unknown and unsupported network modes', () => {
  rejects(() => parseNetwork('bridge', withPasta), /bridge networks need a privileged network daemon.*Use --network pasta\[:OPTIONS\], slirp4netns\[:OPTIONS\], none, host or private/);
  rejects(() => parseNetwork('container:abc', withPasta), /joining another namespace \("container:"\) is not supported yet/);
  rejects(() => parseNetwork('wifi', withPasta), /unknown network mode "wifi"/);
});

test('-p forms: container port only, host:container, ip:host:container, ip::container, /udp', () => {
  assert.equal(parsePublish('80'), [{ hostIP: '0.0.0.0', hostPort: undefined, containerPort: 80, protocol: 'tcp' }]);
  assert.equal(parsePublish('8080:80'), [{ hostIP: '0.0.0.0', hostPort: 8080, containerPort: 80, protocol: 'tcp' }]);
  assert.equal(parsePublish('127.0.0.1:8080:80/udp'), [{ hostIP: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'udp' }]);
  assert.equal(parsePublish('127.0.0.1::80'), [{ hostIP: '127.0.0.1', hostPort: undefined, containerPort: 80, protocol: 'tcp' }]);
  assert.equal(parsePublish('[::1]:8080:80/tcp'), [{ hostIP: '::1', hostPort: 8080, containerPort: 80, protocol: 'tcp' }]);
});

test('-p ranges expand to one mapping per port', () => {
  assert.equal(
    parsePublish('8000-8002:80-82').map((p) => [p.hostPort, p.containerPort]),
    [[8000, 80], [8001, 81], [8002, 82]],
  );
  assert.equal(parsePublish('80-81').map((p) => [p.hostPort, p.containerPort]), [[undefined, 80], [undefined, 81]]);
});

test('bad -p values name the value and the expected form', () => {
  const form = /Use -p \[HOSTIP:\]\[HOSTPORT:\]CONTAINERPORT\[\/tcp\|\/udp\]/;
  assert.match(rejects(() => parsePublish('8080:http'), /invalid port mapping "8080:http": "http" is not a port number or range/).line, form);
  rejects(() => parsePublish('70000:80'), /ports go from 1 to 65535, not 70000/);
  rejects(() => parsePublish('0:80'), /ports go from 1 to 65535, not 0/);
  rejects(() => parsePublish('8000-8002:80'), /the host range has 3 ports and the container range 1/);
  rejects(() => parsePublish('90-80'), /the range 90-80 ends before it starts/);
  rejects(() => parsePublish('80/sctp'), /protocol "sctp" is not supported \(tcp or udp\)/);
  rejects(() => parsePublish('::1:8080:80'), /too many ":"/);
  rejects(() => parsePublish('example.com:8080:80'), /"example.com" is not an IPv4 address/);
  rejects(() => parsePublish('[::1]8080:80'), /an IPv6 address in brackets must be followed by ":"/);
  rejects(() => parsePublish('8080:'), /the container port is missing/);
});

test('-P publishes the image\'s ExposedPorts on free host ports', () => {
  assert.equal(publishExposed({ '80/tcp': {}, '53/udp': {}, '8000-8001': {} }), [
    { hostIP: '0.0.0.0', containerPort: 80, protocol: 'tcp' },
    { hostIP: '0.0.0.0', containerPort: 53, protocol: 'udp' },
    { hostIP: '0.0.0.0', containerPort: 8000, protocol: 'tcp' },
    { hostIP: '0.0.0.0', containerPort: 8001, protocol: 'tcp' },
  ]);
  assert.equal(publishExposed(undefined), []);
  rejects(() => publishExposed({ 'eighty/tcp': {} }), /the image's ExposedPorts entry "eighty\/tcp" is invalid/);
});

test('addresses inside a slirp4netns network', () => {
  assert.is(addressInCidr('10.0.2.0/24', 100), '10.0.2.100');
  assert.is(addressInCidr('10.0.3.7/24', 3), '10.0.3.3');
  assert.is(addressInCidr('172.16.0.0/12', 2), '172.16.0.2');
});

test.run();
