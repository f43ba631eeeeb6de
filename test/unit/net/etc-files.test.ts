import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { generateHosts, generateResolvConf } from '../../../lib/net/etc-files.js';
import { defaultGateway, pastaArguments } from '../../../lib/net/pasta.js';
import { slirpArguments } from '../../../lib/net/slirp4netns.js';

test('resolv.conf: our nameservers, the host\'s search and options, not its nameservers', () => {
  const host = 'nameserver 127.0.0.53\nsearch corp.example\noptions edns0 trust-ad\n# comment\n';
  assert.is(generateResolvConf(['10.0.2.3'], host), 'nameserver 10.0.2.3\nsearch corp.example\noptions edns0 trust-ad\n');
  assert.is(generateResolvConf([], ''), '');
});

test('hosts: localhost lines, then entries; an unnamed hostname goes on the loopback lines', () => {
  const withAddress = generateHosts('box', [{ address: '10.0.2.100', names: ['box'] }, { address: '10.0.2.2', names: ['host.containers.internal'] }]);
  assert.is(withAddress, '127.0.0.1\tlocalhost localhost.localdomain\n::1\tlocalhost ip6-localhost ip6-loopback\n10.0.2.100\tbox\n10.0.2.2\thost.containers.internal\n');
  assert.match(generateHosts('box', []), /^127\.0\.0\.1\tlocalhost localhost\.localdomain box\n::1\tlocalhost ip6-localhost ip6-loopback box\n$/);
});

test('slirp4netns arguments: MTU, host loopback closed unless allowed, ready and exit fds, sandbox', () => {
  const mode = { kind: 'slirp4netns' as const, allowHostLoopback: false, mtu: 65520, cidr: '10.0.2.0/24', enableIPv6: false };
  const args = slirpArguments('/usr/bin/slirp4netns', 42, mode, '/run/x/api.sock');
  assert.equal(args.slice(-4), ['--api-socket', '/run/x/api.sock', '42', 'tap0']);
  for (const flag of ['--configure', '--mtu=65520', '--disable-host-loopback', '--ready-fd=3', '--exit-fd=4', '--enable-sandbox']) assert.ok(args.includes(flag), flag);
  assert.not.ok(slirpArguments('slirp4netns', 42, { ...mode, allowHostLoopback: true }, 's').includes('--disable-host-loopback'));
  // a detached container's helper must outlive the CLI: no exit fd the CLI holds
  assert.not.ok(slirpArguments('slirp4netns', 42, mode, 's', true).some((arg) => arg.startsWith('--exit-fd')));
});

test('pasta arguments: ports per protocol, none when there are none, user options last', () => {
  const ports = [
    { hostIP: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'tcp' as const },
    { hostIP: '0.0.0.0', hostPort: 5353, containerPort: 53, protocol: 'udp' as const },
  ];
  const args = pastaArguments('pasta', 42, { kind: 'pasta', args: ['--trace'], mapGateway: false }, ports, '/run/p.pid');
  const joined = args.join(' ');
  assert.match(joined, /^pasta --config-net -f -q --pid \/run\/p\.pid --ns-ifname eth0 --no-map-gw --dns-forward 169\.254\.1\.1 /);
  assert.match(joined, /-t 127\.0\.0\.1\/8080:80 -u 5353:53 -T none -U none --trace 42$/);
  const bare = pastaArguments('pasta', 7, { kind: 'pasta', args: ['-T', '9000', '-I', 'veth'], mapGateway: true }, [], 'f').join(' ');
  assert.match(bare, /-t none -u none -U none -T 9000 -I veth 7$/);
  assert.not.match(bare, /--no-map-gw|--ns-ifname/);
});

test('default gateway from /proc/PID/net/route', () => {
  const table = 'Iface\tDestination\tGateway\tFlags\nBAD\nlo\t0000007F\t00000000\t0001\neth0\t00000000\t010200C0\t0003\n';
  assert.equal(defaultGateway(table), { interface: 'eth0', gateway: '192.0.2.1' });
  assert.is(defaultGateway('Iface\tDestination\tGateway\n'), undefined);
});

test.run();
