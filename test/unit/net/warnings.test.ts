import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseNetwork, type PortMapping } from '../../../lib/net/options.js';
import { networkWarnings } from '../../../lib/net/warnings.js';

const udp = (hostIP: string, hostPort: number, containerPort: number): PortMapping => ({ hostIP, hostPort, containerPort, protocol: 'udp' });
const mode = (value: string) => parseNetwork(value, () => true);

test('ports with none or host are ignored, and said so', () => {
  assert.equal(networkWarnings(mode('host'), [udp('0.0.0.0', 8080, 80)]), ['published ports are ignored with --network host']);
  assert.equal(networkWarnings(mode('none'), []), []);
});

test('slirp4netns: UDP answers to loopback clients need allow_host_loopback=true', () => {
  assert.match(networkWarnings(mode('slirp4netns'), [udp('127.0.0.1', 5353, 53)])[0]!, /allow_host_loopback=true/);
  assert.equal(networkWarnings(mode('slirp4netns:allow_host_loopback=true'), [udp('127.0.0.1', 5353, 53)]), []);
  assert.equal(networkWarnings(mode('slirp4netns'), [udp('192.0.2.2', 5353, 53)]), []);
});

test('pasta: UDP with the host port above the container port', () => {
  assert.match(networkWarnings(mode('pasta'), [udp('0.0.0.0', 5353, 53)])[0]!, /\(5353 > 53\)/);
  assert.equal(networkWarnings(mode('pasta'), [udp('127.0.0.1', 53, 5353), udp('127.0.0.1', 6000, 6000)]), []);
  assert.equal(networkWarnings(mode('pasta'), [{ ...udp('0.0.0.0', 5353, 53), protocol: 'tcp' }]), []);
});

test.run();
