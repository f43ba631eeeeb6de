import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { allocateRange, BUILTIN_POOL, poolFrom } from '../../../lib/runtime/id-ranges.js';
import { parseSubIdEntries, ROOT_DEFAULT_RANGE } from '../../../lib/runtime/idmap.js';

test('the pool: the containers entries when present, else the built-in pool above root default range', () => {
  const entries = parseSubIdEntries('rltest:100000:65536\ncontainers:393216:1048576\ncontainers:2000000:65536\n');
  assert.equal(poolFrom(entries).ranges, [{ start: 393216, count: 1048576 }, { start: 2000000, count: 65536 }]);
  const builtin = poolFrom(parseSubIdEntries('rltest:100000:65536\n'));
  assert.equal(builtin.ranges, [BUILTIN_POOL]);
  assert.is(BUILTIN_POOL.start, ROOT_DEFAULT_RANGE.start + ROOT_DEFAULT_RANGE.count);
  assert.ok(BUILTIN_POOL.start + BUILTIN_POOL.count <= 2 ** 31, 'stays below 2^31');
});

test('allocation: the lowest free run, never overlapping a range in use, inside one pool range', () => {
  const pool = [{ start: 1000, count: 300 }];
  assert.equal(allocateRange(pool, [], 100), { start: 1000, count: 100 });
  assert.equal(allocateRange(pool, [{ start: 1000, count: 100 }], 100), { start: 1100, count: 100 });
  // a hole too small is skipped; a used range partly outside the pool still blocks
  assert.equal(allocateRange(pool, [{ start: 950, count: 100 }, { start: 1120, count: 10 }], 100), { start: 1130, count: 100 });
  assert.equal(allocateRange(pool, [{ start: 1000, count: 100 }, { start: 1100, count: 100 }, { start: 1200, count: 100 }], 100), undefined);
  // the next pool range when the first is full
  assert.equal(allocateRange([{ start: 5000, count: 100 }, ...pool], [{ start: 1000, count: 300 }], 100), { start: 5000, count: 100 });
});

test('successive allocations are disjoint', () => {
  const used = [ROOT_DEFAULT_RANGE];
  for (let index = 0; index < 5; index++) {
    const range = allocateRange([BUILTIN_POOL], used, 65536)!;
    assert.ok(used.every((other) => range.start >= other.start + other.count || other.start >= range.start + range.count));
    used.push(range);
  }
  assert.is(used[1]!.start, BUILTIN_POOL.start);
  assert.is(used[5]!.start, BUILTIN_POOL.start + 4 * 65536);
});

test.run();
