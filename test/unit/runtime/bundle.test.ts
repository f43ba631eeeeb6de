import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { hostsFile, resolvConf } from '../../../lib/runtime/bundle.js';
import { newContainerId } from '../../../lib/runtime/container-paths.js';

test('hosts names localhost and the container', () => {
  assert.is(hostsFile('box'), '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\tbox\n');
});

test("resolv.conf: the host's as is for the host network, without loopback servers otherwise", () => {
  const host = 'search lan\nnameserver 127.0.0.53\nnameserver ::1\nnameserver 192.0.2.1\noptions edns0\n';
  assert.is(resolvConf(host, 'host'), host);
  assert.is(resolvConf(host, 'none'), 'search lan\nnameserver 192.0.2.1\noptions edns0\n');
});

test('container ids are 64 hex digits and differ', () => {
  const [a, b] = [newContainerId(), newContainerId()];
  assert.match(a, /^[0-9a-f]{64}$/);
  assert.is.not(a, b);
});

test.run();
