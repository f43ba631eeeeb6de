// SCM_RIGHTS through koffi: descriptors sent on one end of a socket pair arrive usable on the other.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { closeSync, fstatSync, openSync, readlinkSync } from 'node:fs';
import { createSocketPair, receiveFds, sendFds } from '../../../lib/sys/fd-passing.js';

test('two descriptors and a tag arrive as new descriptors of the same files', () => {
  const [a, b] = createSocketPair();
  const hostname = openSync('/etc/hostname', 'r');
  const devNull = openSync('/dev/null', 'r');
  sendFds(a, [hostname, devNull], 'pair');
  const { tag, fds } = receiveFds(b);
  assert.is(tag, 'pair');
  assert.is(fds.length, 2);
  assert.is.not(fds[0], hostname, 'a new descriptor number');
  assert.is(readlinkSync(`/proc/self/fd/${fds[1]}`), '/dev/null');
  assert.is(fstatSync(fds[0]!).ino, fstatSync(hostname).ino, 'the same open file');
  for (const fd of [a, b, hostname, devNull, ...fds]) closeSync(fd);
});

test('a closed peer reads as an empty tag with no descriptors', () => {
  const [a, b] = createSocketPair();
  closeSync(a);
  assert.equal(receiveFds(b), { tag: '', fds: [] });
  closeSync(b);
});

test.run();
