import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { RootlessError } from '../../../lib/errors.js';
import { parseRunArgs } from '../../../lib/spec/run-options.js';
import { keepIdMappings, parseIdMapping, parseUsernsRequest } from '../../../lib/spec/userns.js';

const request = (args: string[]) => parseUsernsRequest(parseRunArgs([...args, 'img']));

test('--userns values: private by default, keep-id, host, auto with a size of at least 65536', () => {
  assert.equal(request([]), { mode: 'private' });
  assert.equal(request(['--userns=private']), { mode: 'private' });
  assert.equal(request(['--userns', 'keep-id']), { mode: 'keep-id' });
  assert.equal(request(['--userns=host']), { mode: 'host' });
  assert.equal(request(['--userns=auto']), { mode: 'auto', size: 65536 });
  assert.equal(request(['--userns=auto:size=131072']), { mode: 'auto', size: 131072 });
  assert.throws(() => request(['--userns=auto:size=1000']), /below the least range of 65536/);
  assert.throws(() => request(['--userns=auto:uidmapping=0:1:2']), /invalid --userns option "uidmapping=0:1:2"/);
  assert.throws(
    () => request(['--userns=nomap']),
    (error: RootlessError) => error.message === 'invalid --userns value "nomap"' && error.remedy === 'Choose private, keep-id, auto[:size=N] or host',
  );
});

test('--uidmap/--gidmap: CONTAINER:HOST:SIZE, repeatable; --gidmap defaults to --uidmap', () => {
  assert.equal(parseIdMapping('0:100000:65536', '--uidmap'), { containerID: 0, hostID: 100000, size: 65536 });
  const both = request(['--uidmap', '0:1001:1', '--uidmap', '1:100000:1000']);
  assert.equal(both, {
    mode: 'explicit',
    uidMappings: [{ containerID: 0, hostID: 1001, size: 1 }, { containerID: 1, hostID: 100000, size: 1000 }],
    gidMappings: [{ containerID: 0, hostID: 1001, size: 1 }, { containerID: 1, hostID: 100000, size: 1000 }],
  });
  const split = request(['--uidmap', '0:1001:1', '--gidmap', '0:2002:1']);
  assert.equal(split.mode === 'explicit' && split.gidMappings, [{ containerID: 0, hostID: 2002, size: 1 }]);
});

test('bad maps are refused with the value and the form to use', () => {
  for (const bad of ['0:1', '0:1:0', 'a:1:2', '-1:1:2', '0:1:2:3', '0:4294967295:1']) {
    assert.throws(() => parseIdMapping(bad, '--uidmap'), new RegExp(`invalid --uidmap "${bad}".*`));
  }
  assert.throws(() => request(['--uidmap', '1:100000:10']), /does not map container id 0/);
  assert.throws(() => request(['--uidmap', '0:100000:10', '--uidmap', '5:200000:10']), /0:100000:10 and 5:200000:10 overlap in their container ids/);
  assert.throws(() => request(['--uidmap', '0:100000:10', '--uidmap', '10:100005:10']), /overlap in their host ids/);
  assert.throws(() => request(['--userns=keep-id', '--uidmap', '0:1:1']), /both say how to map ids/);
});

test('keep-id: the user keeps its id; other ids keep the store layout; 0 takes the id the user frees', () => {
  const ranges = [{ start: 100000, count: 65536 }, { start: 200000, count: 65536 }];
  assert.equal(keepIdMappings(1001, ranges), [
    { containerID: 0, hostID: 101000, size: 1 },
    { containerID: 1, hostID: 100000, size: 1000 },
    { containerID: 1001, hostID: 1001, size: 1 },
    { containerID: 1002, hostID: 101001, size: 64535 },
    { containerID: 65537, hostID: 200000, size: 65536 },
  ]);
  // the user's id at the very end of a range, and in a second range
  assert.equal(keepIdMappings(3, [{ start: 500, count: 3 }]), [
    { containerID: 0, hostID: 502, size: 1 },
    { containerID: 1, hostID: 500, size: 2 },
    { containerID: 3, hostID: 3, size: 1 },
  ]);
  assert.equal(keepIdMappings(5, [{ start: 500, count: 3 }, { start: 900, count: 10 }]), [
    { containerID: 0, hostID: 901, size: 1 },
    { containerID: 1, hostID: 500, size: 3 },
    { containerID: 4, hostID: 900, size: 1 },
    { containerID: 5, hostID: 5, size: 1 },
    { containerID: 6, hostID: 902, size: 8 },
  ]);
  assert.throws(() => keepIdMappings(70000, [{ start: 100000, count: 65536 }]), /needs at least 70000 subordinate ids/);
});

test.run();
