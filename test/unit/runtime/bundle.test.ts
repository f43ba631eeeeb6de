import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { newContainerId } from '../../../lib/runtime/container-paths.js';

test('container ids are 64 hex digits and differ', () => {
  const [a, b] = [newContainerId(), newContainerId()];
  assert.match(a, /^[0-9a-f]{64}$/);
  assert.is.not(a, b);
});

test.run();
