import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FILTER_ARCHES, hostArch } from '../../../lib/runtime/seccomp/arch.js';
import { compileSeccomp, SECCOMP_RET } from '../../../lib/runtime/seccomp/compile.js';
import { CLONE_NAMESPACE_FLAGS, DEFAULT_PROFILE } from '../../../lib/runtime/seccomp/default-profile.js';
import { parseProfile, resolveProfile, type LinuxSeccomp } from '../../../lib/runtime/seccomp/profile.js';
import { runFilter, seccompData } from './bpf-interpreter.js';

const X86_64 = hostArch('x64');
const AARCH64 = hostArch('arm64');
const AUDIT_X86_64 = FILTER_ARCHES.SCMP_ARCH_X86_64.audit;
const AUDIT_I386 = FILTER_ARCHES.SCMP_ARCH_X86.audit;
const AUDIT_AARCH64 = FILTER_ARCHES.SCMP_ARCH_AARCH64.audit;
const ALLOW = SECCOMP_RET.ALLOW;
const EPERM = SECCOMP_RET.ERRNO | 1;
const ENOSYS = SECCOMP_RET.ERRNO | 38;
const DOCKER_CAPS = ['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL',
  'CAP_AUDIT_WRITE'];
const CLONE_NEWUSER = 0x10000000;
const CLONE_THREAD_FLAGS = 0x3d0f00; // what glibc's pthread_create passes

function defaultFilter(caps: string[], arch = X86_64): Buffer {
  return compileSeccomp(resolveProfile(DEFAULT_PROFILE, { capabilities: caps, arch, kernelRelease: '6.18.0' }), arch);
}

const x86Filter = defaultFilter(DOCKER_CAPS);
const x86AdminFilter = defaultFilter([...DOCKER_CAPS, 'CAP_SYS_ADMIN']);
const numberIn = (table: ReadonlyMap<string, number>, name: string) => {
  const number = table.get(name);
  if (number === undefined) throw new Error(`no syscall ${name}`);
  return number;
};
const nr = (name: string) => numberIn(FILTER_ARCHES.SCMP_ARCH_X86_64.syscalls, name);
const run = (program: Buffer, name: string, args: Array<number | bigint> = [], arch = AUDIT_X86_64) =>
  runFilter(program, seccompData({ nr: nr(name), arch, args }));

test('the default program starts with the arch check and fits the kernel limit', () => {
  assert.is(x86Filter.readUInt16LE(0), 0x20); // ld [4]
  assert.is(x86Filter.readUInt32LE(4), 4);
  assert.is(x86Filter.readUInt32LE(12), AUDIT_X86_64); // jeq #AUDIT_ARCH_X86_64
  assert.ok(x86Filter.length / 8 < 4096);
});

test('ordinary syscalls are allowed, unlisted ones get EPERM', () => {
  for (const name of ['read', 'write', 'openat', 'execve', 'exit_group', 'getpid', 'futex', 'landlock_restrict_self']) {
    assert.is(run(x86Filter, name), ALLOW, name);
  }
  for (const name of ['kexec_load', 'keyctl', 'add_key', 'request_key', 'init_module', 'reboot', 'swapon', 'pivot_root']) {
    assert.is(run(x86Filter, name), EPERM, name);
  }
});

test('CAP_SYS_ADMIN-gated syscalls follow the container\'s capabilities', () => {
  for (const name of ['mount', 'umount2', 'unshare', 'setns', 'sethostname', 'bpf', 'open_tree']) {
    assert.is(run(x86Filter, name), EPERM, `${name} without CAP_SYS_ADMIN`);
    assert.is(run(x86AdminFilter, name), ALLOW, `${name} with CAP_SYS_ADMIN`);
  }
  assert.is(run(x86Filter, 'chroot'), ALLOW); // CAP_SYS_CHROOT is in Docker's default set
  assert.is(run(defaultFilter(['CAP_CHOWN']), 'chroot'), EPERM);
  assert.is(run(x86Filter, 'ptrace'), ALLOW); // minKernel 4.8 rule
  assert.is(run(defaultFilter(DOCKER_CAPS.concat('CAP_SYS_PTRACE')), 'kcmp'), ALLOW);
  assert.is(run(x86Filter, 'kcmp'), EPERM);
});

test('clone may not create namespaces without CAP_SYS_ADMIN; clone3 gets ENOSYS', () => {
  assert.is(run(x86Filter, 'clone', [0x11 /* SIGCHLD */]), ALLOW);
  assert.is(run(x86Filter, 'clone', [CLONE_THREAD_FLAGS]), ALLOW);
  assert.is(run(x86Filter, 'clone', [CLONE_NEWUSER | 0x11]), EPERM);
  assert.is(run(x86Filter, 'clone', [0x20000 /* CLONE_NEWNS */]), EPERM);
  assert.is(run(x86Filter, 'clone', [0xffffffff00000011n]), ALLOW); // high word is outside the mask
  assert.is(run(x86AdminFilter, 'clone', [CLONE_NEWUSER]), ALLOW);
  assert.is(run(x86Filter, 'clone3'), ENOSYS);
  assert.is(run(x86AdminFilter, 'clone3'), ALLOW);
  assert.is(CLONE_NAMESPACE_FLAGS, 2114060288); // moby's value
});

test('personality allows exactly the five listed personas; socket refuses AF_VSOCK', () => {
  for (const persona of [0, 8, 0x20000, 0x20008, 0xffffffff]) assert.is(run(x86Filter, 'personality', [persona]), ALLOW);
  for (const persona of [1, 0x0040000 /* ADDR_NO_RANDOMIZE */, 0x1ffffffff, 0xffffffff00000000n]) {
    assert.is(run(x86Filter, 'personality', [persona]), EPERM, `personality(${persona})`);
  }
  assert.is(run(x86Filter, 'socket', [2 /* AF_INET */]), ALLOW);
  assert.is(run(x86Filter, 'socket', [40 /* AF_VSOCK */]), EPERM);
  assert.is(run(x86Filter, 'socket', [0x100000028n]), ALLOW); // NE compares all 64 bits, as libseccomp
});

test('numbers above every syscall the profile names get ENOSYS; x32 and foreign arches are refused', () => {
  assert.is(runFilter(x86Filter, seccompData({ nr: 451, arch: AUDIT_X86_64 })), ENOSYS); // cachestat, newer than the table
  assert.is(runFilter(x86Filter, seccompData({ nr: 5000, arch: AUDIT_X86_64 })), ENOSYS);
  // As runc: the bound is the highest syscall left in the filter (set_mempolicy_home_node, the
  // table's last, needs CAP_SYS_NICE; without it process_mrelease, 448, is the highest).
  assert.is(run(x86Filter, 'set_mempolicy_home_node'), ENOSYS);
  assert.is(run(defaultFilter(['CAP_SYS_NICE']), 'set_mempolicy_home_node'), ALLOW);
  assert.is(runFilter(x86Filter, seccompData({ nr: 0x40000000 | nr('read'), arch: AUDIT_X86_64 })), ENOSYS);
  assert.is(runFilter(x86Filter, seccompData({ nr: -1, arch: AUDIT_X86_64 })), ENOSYS);
  assert.is(runFilter(x86Filter, seccompData({ nr: 0, arch: AUDIT_AARCH64 })), SECCOMP_RET.KILL_PROCESS);
  assert.is(runFilter(x86Filter, seccompData({ nr: 0, arch: 0x40000028 /* ARM */ })), SECCOMP_RET.KILL_PROCESS);
});

test('i386 processes on x86_64 are filtered with the i386 table', () => {
  const i386 = FILTER_ARCHES.SCMP_ARCH_X86.syscalls;
  const run32 = (name: string, args: number[] = []) => runFilter(x86Filter, seccompData({ nr: numberIn(i386, name), arch: AUDIT_I386, args }));
  assert.is(run32('read'), ALLOW);
  assert.is(run32('socketcall'), ALLOW);
  assert.is(run32('mount'), EPERM);
  assert.is(run32('clone', [CLONE_NEWUSER]), EPERM);
  assert.is(run32('personality', [8]), ALLOW);
  assert.is(runFilter(x86Filter, seccompData({ nr: 460, arch: AUDIT_I386 })), ENOSYS);
  // Without SCMP_ARCH_X86 in the profile, i386 is a foreign arch.
  const nativeOnly = compileSeccomp({ ...resolveProfile(DEFAULT_PROFILE, { capabilities: [], arch: X86_64 }), architectures: ['SCMP_ARCH_X86_64'] }, X86_64);
  assert.is(runFilter(nativeOnly, seccompData({ nr: numberIn(i386, 'read'), arch: AUDIT_I386 })), SECCOMP_RET.KILL_PROCESS);
});

test('aarch64: same decisions with the asm-generic numbers', () => {
  const filter = defaultFilter(DOCKER_CAPS, AARCH64);
  const table = FILTER_ARCHES.SCMP_ARCH_AARCH64.syscalls;
  const runArm = (name: string, args: number[] = []) => runFilter(filter, seccompData({ nr: numberIn(table, name), arch: AUDIT_AARCH64, args }));
  assert.is(runArm('read'), ALLOW);
  assert.is(runArm('mount'), EPERM);
  assert.is(runArm('clone', [CLONE_NEWUSER]), EPERM);
  assert.is(runArm('clone', [0x11]), ALLOW);
  assert.is(runArm('clone3'), ENOSYS);
  assert.is(runArm('kexec_load'), EPERM);
  assert.is(runFilter(filter, seccompData({ nr: numberIn(table, 'read'), arch: AUDIT_X86_64 })), SECCOMP_RET.KILL_PROCESS);
  assert.is(runFilter(filter, seccompData({ nr: 0x40000000, arch: AUDIT_AARCH64 })), ENOSYS);
  assert.ok(filter.length / 8 < 4096);
});

test('64-bit argument comparisons split into halves', () => {
  const big = 0x1_0000_0005;
  const rule = (op: string, value: number, valueTwo?: number): LinuxSeccomp => ({
    defaultAction: 'SCMP_ACT_ERRNO',
    syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 2, value, valueTwo, op: op as 'SCMP_CMP_EQ' }] }],
  });
  const cases: Array<[string, number, bigint[], bigint[]]> = [
    ['SCMP_CMP_EQ', big, [0x1_0000_0005n], [5n, 0x2_0000_0005n, 0x1_0000_0004n]],
    ['SCMP_CMP_NE', big, [5n, 0x1_0000_0006n], [0x1_0000_0005n]],
    ['SCMP_CMP_GT', big, [0x1_0000_0006n, 0x2_0000_0000n], [0x1_0000_0005n, 0xffff_ffffn]],
    ['SCMP_CMP_GE', big, [0x1_0000_0005n, 0x2_0000_0000n], [0x1_0000_0004n, 7n]],
    ['SCMP_CMP_LT', big, [0x1_0000_0004n, 0xffff_ffffn], [0x1_0000_0005n, 0x2_0000_0000n]],
    ['SCMP_CMP_LE', big, [0x1_0000_0005n, 9n], [0x1_0000_0006n, 0x2_0000_0000n]],
  ];
  for (const [op, value, matching, failing] of cases) {
    const program = compileSeccomp(rule(op, value), X86_64);
    for (const arg of matching) assert.is(run(program, 'read', [0, 0, arg]), ALLOW, `${op} ${arg}`);
    for (const arg of failing) assert.is(run(program, 'read', [0, 0, arg]), EPERM, `${op} ${arg}`);
  }
  const masked = compileSeccomp(rule('SCMP_CMP_MASKED_EQ', 0x3_0000_00f0, 0x1_0000_0010), X86_64);
  assert.is(run(masked, 'read', [0, 0, 0x1_ff00_0010n]), ALLOW);
  assert.is(run(masked, 'read', [0, 0, 0x3_0000_0010n]), EPERM);
  assert.is(run(masked, 'read', [0, 0, 0x1_0000_0020n]), EPERM);
});

test('a permissive default gets no ENOSYS stub; actions encode as the kernel expects', () => {
  const denyList: LinuxSeccomp = {
    defaultAction: 'SCMP_ACT_ALLOW',
    syscalls: [
      { names: ['mount'], action: 'SCMP_ACT_KILL_PROCESS' },
      { names: ['reboot'], action: 'SCMP_ACT_TRAP' },
      { names: ['swapon'], action: 'SCMP_ACT_LOG' },
      { names: ['swapoff'], action: 'SCMP_ACT_KILL' },
      { names: ['kexec_load'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 },
      { names: ['no_such_syscall'], action: 'SCMP_ACT_ERRNO' },
    ],
  };
  const program = compileSeccomp(denyList, X86_64);
  assert.is(run(program, 'read'), ALLOW);
  assert.is(runFilter(program, seccompData({ nr: 999, arch: AUDIT_X86_64 })), ALLOW);
  assert.is(run(program, 'mount'), 0x80000000);
  assert.is(run(program, 'reboot'), 0x00030000);
  assert.is(run(program, 'swapon'), 0x7ffc0000);
  assert.is(run(program, 'swapoff'), 0);
  assert.is(run(program, 'kexec_load'), 0x0005000d);
});

test('the first matching rule for a syscall decides, then the default', () => {
  const program = compileSeccomp({
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: 1,
    syscalls: [
      { names: ['write'], action: 'SCMP_ACT_ERRNO', errnoRet: 5, args: [{ index: 0, value: 2, op: 'SCMP_CMP_EQ' }] },
      { names: ['write'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 3, op: 'SCMP_CMP_LT' }] },
    ],
  }, X86_64);
  assert.is(run(program, 'write', [1]), ALLOW);
  assert.is(run(program, 'write', [2]), SECCOMP_RET.ERRNO | 5);
  assert.is(run(program, 'write', [3]), EPERM);
});

test('resolveProfile applies includes/excludes like moby', () => {
  const resolved = resolveProfile(DEFAULT_PROFILE, { capabilities: DOCKER_CAPS, arch: X86_64, kernelRelease: '4.4.0' });
  const named = (name: string) => resolved.syscalls!.filter((rule) => rule.names.includes(name));
  assert.equal(resolved.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  assert.is(named('ptrace').length, 0); // needs kernel 4.8 or CAP_SYS_PTRACE
  assert.is(named('arch_prctl').length, 1);
  assert.is(named('set_tls').length, 0); // arm only
  assert.is(named('clone').length, 1);
  assert.ok(resolved.syscalls!.every((rule) => !('includes' in rule) && !('excludes' in rule)));
  const arm = resolveProfile(DEFAULT_PROFILE, { capabilities: [], arch: AARCH64, kernelRelease: '6.1' });
  assert.equal(arm.architectures, ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
  assert.is(arm.syscalls!.filter((rule) => rule.names.includes('set_tls')).length, 1);
});

test('parseProfile names the bad field', () => {
  assert.throws(() => parseProfile('{', 'p.json'), /p\.json: not JSON/);
  assert.throws(() => parseProfile('{"defaultAction":"SCMP_ACT_NOTIFY"}', 'p.json'), /defaultAction "SCMP_ACT_NOTIFY"/);
  assert.throws(() => parseProfile('{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":6,"value":1,"op":"SCMP_CMP_EQ"}]}]}', 'p.json'), /syscalls\[0\]\.args\[0\]\.index/);
  const profile = parseProfile(JSON.stringify(DEFAULT_PROFILE), 'default');
  assert.is(profile.syscalls!.length, DEFAULT_PROFILE.syscalls!.length);
});

test('the default program stays compact: well under the 4096 limit and a linear list', () => {
  const x86 = x86Filter.length / 8;
  const arm = defaultFilter(DOCKER_CAPS, AARCH64).length / 8;
  // A linear jeq per allowed syscall would need one instruction per name and arch (~700 here).
  assert.ok(x86 < 500, `${x86} instructions on x86_64`);
  assert.ok(arm < 250, `${arm} instructions on aarch64`);
});

/** The rules evaluated directly, the way the docs describe them: first matching rule, else default. */
function reference(seccomp: LinuxSeccomp, table: ReadonlyMap<string, number>, wide: boolean) {
  const rules = seccomp.syscalls ?? [];
  const numbers = rules.map((rule) => new Set(rule.names.map((name) => table.get(name) ?? -1)));
  const highest = Math.max(...numbers.flatMap((set) => [...set]));
  return (nr: number, args: bigint[]) => expected(rules.filter((_, i) => numbers[i].has(nr)), nr > highest, args, wide);
}

function expected(rules: NonNullable<LinuxSeccomp['syscalls']>, aboveHighest: boolean, args: bigint[], wide: boolean): number {
  if (aboveHighest) return ENOSYS;
  for (const rule of rules) {
    const holds = (rule.args ?? []).every(({ index, value, valueTwo, op }) => {
      const arg = wide ? args[index] : args[index] & 0xffffffffn;
      const v = wide ? BigInt(value) : BigInt(value) & 0xffffffffn;
      switch (op) {
        case 'SCMP_CMP_EQ': return arg === v;
        case 'SCMP_CMP_NE': return arg !== v;
        case 'SCMP_CMP_LT': return arg < v;
        case 'SCMP_CMP_LE': return arg <= v;
        case 'SCMP_CMP_GT': return arg > v;
        case 'SCMP_CMP_GE': return arg >= v;
        case 'SCMP_CMP_MASKED_EQ': return (arg & v) === (wide ? BigInt(valueTwo ?? 0) : BigInt(valueTwo ?? 0) & 0xffffffffn);
      }
      return false;
    });
    if (holds) return rule.action === 'SCMP_ACT_ALLOW' ? ALLOW : SECCOMP_RET.ERRNO | (rule.errnoRet ?? 1);
  }
  return EPERM;
}

test('every syscall number, on every arch, gets what the rules say', () => {
  const argSets = [[0n], [8n], [40n], [0xffffffffn], [BigInt(CLONE_NEWUSER)], [0x11n], [0x1_0000_0000n], [0xffffffff_00000008n]];
  const cases: Array<[ReturnType<typeof hostArch>, string, number]> = [
    [X86_64, 'SCMP_ARCH_X86_64', AUDIT_X86_64],
    [X86_64, 'SCMP_ARCH_X86', AUDIT_I386],
    [AARCH64, 'SCMP_ARCH_AARCH64', AUDIT_AARCH64],
  ];
  for (const capabilities of [DOCKER_CAPS, [...DOCKER_CAPS, 'CAP_SYS_ADMIN', 'CAP_SYS_PTRACE']]) {
    for (const [arch, name, audit] of cases) {
      const seccomp = resolveProfile(DEFAULT_PROFILE, { capabilities, arch, kernelRelease: '6.18.0' });
      const program = compileSeccomp(seccomp, arch);
      const { syscalls: table, wideArgs } = FILTER_ARCHES[name];
      const want = reference(seccomp, table, wideArgs);
      for (let number = 0; number < 520; number += 1) {
        for (const args of argSets) {
          const actual = runFilter(program, seccompData({ nr: number, arch: audit, args }));
          const wanted = want(number, args);
          if (actual !== wanted) assert.is(actual, wanted, `${name} nr ${number} args ${args}`);
        }
      }
    }
  }
});

test.run();
