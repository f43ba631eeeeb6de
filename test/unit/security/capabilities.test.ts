import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CAPABILITIES, DEFAULT_CAPABILITIES, capabilityNumber, capabilityNumbers, normalizeCapability,
  processCapabilities, resolveCapabilities,
} from '../../../lib/runtime/capabilities.js';
import { RootlessError } from '../../../lib/errors.js';

const mask = (names: string[]) => names.reduce((bits, name) => bits | (1n << BigInt(capabilityNumber(name))), 0n);

test('names and numbers follow linux/capability.h up to CAP_CHECKPOINT_RESTORE', () => {
  assert.is(CAPABILITIES.length, 41);
  assert.is(capabilityNumber('CAP_CHOWN'), 0);
  assert.is(capabilityNumber('CAP_NET_ADMIN'), 12);
  assert.is(capabilityNumber('CAP_SYS_ADMIN'), 21);
  assert.is(capabilityNumber('CAP_SETFCAP'), 31);
  assert.is(capabilityNumber('CAP_BPF'), 39);
  assert.is(capabilityNumber('CAP_CHECKPOINT_RESTORE'), 40);
});

test('Docker\'s default set is the CapEff every Docker container shows, 00000000a80425fb', () => {
  assert.is(mask(resolveCapabilities({})), 0xa80425fbn);
  assert.is(DEFAULT_CAPABILITIES.length, 14);
});

test('names are accepted with or without CAP_, in any case', () => {
  assert.is(normalizeCapability('net_admin'), 'CAP_NET_ADMIN');
  assert.is(normalizeCapability('Cap_Sys_Ptrace'), 'CAP_SYS_PTRACE');
  assert.is(normalizeCapability('all'), 'ALL');
});

test('an unknown name is a tool error (125) that names it', () => {
  try {
    resolveCapabilities({ capAdd: ['NET_ADMIN', 'SYS_FOO'] });
    assert.unreachable('should throw');
  } catch (error) {
    assert.instance(error, RootlessError);
    assert.is((error as RootlessError).exitCode, 125);
    assert.match((error as RootlessError).line, /unknown capability "SYS_FOO"\. Use a name/);
  }
});

test('--cap-add and --cap-drop, ALL on either side, add beats drop', () => {
  const added = resolveCapabilities({ capAdd: ['net_admin'], capDrop: ['NET_RAW', 'CAP_MKNOD'] });
  assert.ok(added.includes('CAP_NET_ADMIN'));
  assert.not.ok(added.includes('CAP_NET_RAW'));
  assert.not.ok(added.includes('CAP_MKNOD'));
  assert.is(added.length, 13);
  assert.equal(resolveCapabilities({ capDrop: ['ALL'], capAdd: ['chown', 'kill'] }), ['CAP_CHOWN', 'CAP_KILL']);
  assert.equal(resolveCapabilities({ capDrop: ['all'] }), []);
  const all = resolveCapabilities({ capAdd: ['ALL'], capDrop: ['SYS_ADMIN'] });
  assert.is(all.length, 40);
  assert.not.ok(all.includes('CAP_SYS_ADMIN'));
  assert.ok(resolveCapabilities({ capAdd: ['KILL'], capDrop: ['KILL'] }).includes('CAP_KILL'));
  assert.equal(resolveCapabilities({ privileged: true, capDrop: ['ALL'] }), [...CAPABILITIES]);
  assert.equal(resolveCapabilities({ capAdd: ['SYS_ADMIN', 'CHOWN'] }).slice(0, 2), ['CAP_CHOWN', 'CAP_DAC_OVERRIDE']); // by number
});

test('process.capabilities: root gets the set, a non-root user only what --cap-add names, as ambient', () => {
  const root = processCapabilities({ uid: 0, capAdd: ['NET_ADMIN'] });
  assert.equal(root.effective, root.bounding);
  assert.equal(root.permitted, root.bounding);
  assert.equal(root.inheritable, []);
  assert.equal(root.ambient, []);
  assert.ok(root.bounding.includes('CAP_NET_ADMIN'));

  const user = processCapabilities({ uid: 1000, capAdd: ['NET_BIND_SERVICE', 'SYS_TIME'], capDrop: ['SYS_TIME'] });
  assert.equal(user.ambient, ['CAP_NET_BIND_SERVICE', 'CAP_SYS_TIME']);
  assert.equal(user.effective, user.ambient);
  assert.equal(user.inheritable, user.ambient);
  assert.is(user.bounding.length, 15);

  const plain = processCapabilities({ uid: 1000 });
  assert.equal([plain.effective, plain.permitted, plain.inheritable, plain.ambient], [[], [], [], []]);
  assert.is(plain.bounding.length, 14);
  assert.is(processCapabilities({ uid: 1000, capAdd: ['ALL'] }).ambient.length, 41);
});

test('capabilityNumbers converts every set for lib/sys/caps.ts', () => {
  const numbers = capabilityNumbers(processCapabilities({ uid: 1000, capAdd: ['NET_BIND_SERVICE'] }));
  assert.equal(numbers.ambient, [10]);
  assert.equal(numbers.bounding.slice(0, 3), [0, 1, 3]);
  assert.equal(capabilityNumbers({ bounding: ['CAP_KILL'] }), { bounding: [5], effective: [], inheritable: [], permitted: [], ambient: [] });
  assert.equal(capabilityNumbers(undefined).ambient, []); // no process.capabilities: everything dropped
});

test.run();
