// OCI `linux.seccomp` → a classic-BPF seccomp program, the job libseccomp does for runc and crun.
//
// Shape of the program:
//   ld arch; jeq each listed arch → its section; else KILL_PROCESS (a foreign ABI is an attack)
//   per arch: ld nr; [x86_64: x32 bit set → ENOSYS]; nr above every named syscall → ENOSYS
//             (when the default denies: a newer libc then falls back, as runc's ENOSYS stub does);
//             binary search over number ranges → `ret` or a jump to the syscall's argument rules.
// Rules for one syscall are tried in profile order and the first that matches decides; none
// matching means the default action. The x32 ABI is refused outright (ENOSYS, as on a kernel
// built without it); i386 is filtered with its own table when the profile lists SCMP_ARCH_X86.
import { RootlessError } from '../../errors.js';
import { FILTER_ARCHES, hostArch, type FilterArch, type HostArch } from './arch.js';
import { BpfAssembler, type Condition, type Label } from './bpf.js';
import type { LinuxSeccomp, SeccompAction, SeccompArg, SeccompRule } from './profile.js';

export const SECCOMP_RET = {
  KILL_PROCESS: 0x80000000,
  KILL_THREAD: 0x00000000,
  TRAP: 0x00030000,
  ERRNO: 0x00050000,
  TRACE: 0x7ff00000,
  LOG: 0x7ffc0000,
  ALLOW: 0x7fff0000,
} as const;

const EPERM = 1;
const ENOSYS = 38;

/** struct seccomp_data: int nr; u32 arch; u64 instruction_pointer; u64 args[6] (little-endian). */
const OFFSET_NR = 0;
const OFFSET_ARCH = 4;
const argLow = (index: number) => 16 + 8 * index;

export function actionValue(action: SeccompAction, errnoRet?: number): number {
  const data = (errnoRet ?? EPERM) & 0xffff;
  switch (action) {
    case 'SCMP_ACT_ALLOW': return SECCOMP_RET.ALLOW;
    case 'SCMP_ACT_ERRNO': return SECCOMP_RET.ERRNO | data;
    case 'SCMP_ACT_KILL':
    case 'SCMP_ACT_KILL_THREAD': return SECCOMP_RET.KILL_THREAD;
    case 'SCMP_ACT_KILL_PROCESS': return SECCOMP_RET.KILL_PROCESS;
    case 'SCMP_ACT_TRAP': return SECCOMP_RET.TRAP;
    case 'SCMP_ACT_TRACE': return (SECCOMP_RET.TRACE | data) >>> 0;
    case 'SCMP_ACT_LOG': return SECCOMP_RET.LOG;
    default:
      throw new RootlessError(`seccomp action ${JSON.stringify(action)} is not supported`, {
        remedy: 'Use one of SCMP_ACT_ALLOW, ERRNO, KILL, KILL_PROCESS, TRAP, TRACE, LOG',
      });
  }
}

const ENOSYS_ACTION = actionValue('SCMP_ACT_ERRNO', ENOSYS);

/** Actions that let a syscall run: with these as default, unknown numbers must run too. */
const permissive = new Set<number>([SECCOMP_RET.ALLOW, SECCOMP_RET.LOG]);

interface CompiledRule {
  /** Position in the profile: equal ids mean identical rules. */
  id: number;
  args: SeccompArg[];
  action: number;
}

/** The BPF program (struct sock_filter[]) for `seccomp` on this host. */
export function compileSeccomp(seccomp: LinuxSeccomp, arch: HostArch = hostArch()): Buffer {
  const defaultAction = actionValue(seccomp.defaultAction, seccomp.defaultErrnoRet);
  const arches = filterArches(seccomp.architectures, arch);
  const asm = new BpfAssembler();
  const sections = arches.map((filterArch) => asm.newLabel(filterArch.name));
  asm.load(OFFSET_ARCH);
  arches.forEach((filterArch, i) => asm.jump('eq', filterArch.audit, sections[i]));
  asm.ret(SECCOMP_RET.KILL_PROCESS);
  arches.forEach((filterArch, i) => {
    asm.place(sections[i]);
    emitArchSection(asm, filterArch, rulesByNumber(seccomp.syscalls ?? [], filterArch), defaultAction);
  });
  return asm.assemble();
}

/** Native first, then the compat ABIs the profile lists and we have tables for. */
function filterArches(listed: string[] | undefined, arch: HostArch): FilterArch[] {
  const compat = arch.compat.filter((filterArch) => listed?.includes(filterArch.name));
  const unknown = (listed ?? []).filter((name) => !(name in FILTER_ARCHES) && !knownElsewhere.has(name));
  if (unknown.length > 0) {
    throw new RootlessError(`seccomp profile lists unknown architecture ${unknown.join(', ')}`, {
      remedy: 'Use libseccomp names such as SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_AARCH64',
    });
  }
  return [arch.native, ...compat];
}

/** Valid libseccomp names we do not filter for: their processes fail the arch check. */
const knownElsewhere = new Set([
  'SCMP_ARCH_X32', 'SCMP_ARCH_ARM', 'SCMP_ARCH_MIPS', 'SCMP_ARCH_MIPS64', 'SCMP_ARCH_MIPS64N32',
  'SCMP_ARCH_MIPSEL', 'SCMP_ARCH_MIPSEL64', 'SCMP_ARCH_MIPSEL64N32', 'SCMP_ARCH_PPC', 'SCMP_ARCH_PPC64',
  'SCMP_ARCH_PPC64LE', 'SCMP_ARCH_S390', 'SCMP_ARCH_S390X', 'SCMP_ARCH_PARISC', 'SCMP_ARCH_PARISC64',
  'SCMP_ARCH_RISCV64', 'SCMP_ARCH_LOONGARCH64', 'SCMP_ARCH_M68K', 'SCMP_ARCH_SH', 'SCMP_ARCH_SHEB',
]);

/** Syscall number → its rules in profile order; names this arch lacks are skipped, as libseccomp does. */
function rulesByNumber(rules: SeccompRule[], filterArch: FilterArch): Map<number, CompiledRule[]> {
  const byNumber = new Map<number, CompiledRule[]>();
  rules.forEach((rule, id) => {
    const compiled = { id, args: rule.args ?? [], action: actionValue(rule.action, rule.errnoRet) };
    for (const name of rule.names) {
      const nr = filterArch.syscalls.get(name);
      if (nr === undefined) continue;
      const list = byNumber.get(nr) ?? [];
      // After an unconditional rule nothing later can apply.
      if (!list.some((earlier) => earlier.args.length === 0)) list.push(compiled);
      byNumber.set(nr, list);
    }
  });
  return byNumber;
}

interface Range {
  first: number;
  /** `=action` for one unconditional rule, else the rules' ids: equal keys share one body. */
  key: string;
  rules: CompiledRule[];
}

function emitArchSection(asm: BpfAssembler, filterArch: FilterArch, byNumber: Map<number, CompiledRule[]>, defaultAction: number): void {
  const highest = Math.max(-1, ...byNumber.keys());
  const stub = !permissive.has(defaultAction) && highest >= 0;
  // ld nr; [jset x32 → enosys]; [jgt highest → enosys]; enosys: ret ENOSYS; search: …
  // (the last check falls into the `ret` when true: every jump here stays short)
  const checks: Array<[Condition, number]> = [];
  if (filterArch.x32Bit) checks.push(['set', filterArch.x32Bit]);
  if (stub) checks.push(['gt', highest]);
  const enosys = asm.newLabel('enosys');
  const searchStart = asm.newLabel('search');
  asm.load(OFFSET_NR);
  checks.forEach(([condition, k], i) => {
    if (i < checks.length - 1) asm.jump(condition, k, enosys);
    else asm.jump(condition, k, null, searchStart);
  });
  if (checks.length > 0) asm.place(enosys).ret(ENOSYS_ACTION);
  asm.place(searchStart);

  // Consecutive numbers with the same rules make one range; numbers without rules take the default.
  const ranges: Range[] = [];
  for (let nr = 0; nr <= highest + (stub ? 0 : 1); nr += 1) {
    const rules = byNumber.get(nr) ?? [];
    const key = rules.length === 1 && rules[0].args.length === 0 ? `=${rules[0].action}` : rules.map((rule) => rule.id).join();
    if (ranges.length === 0 || ranges[ranges.length - 1].key !== key) ranges.push({ first: nr, key, rules });
  }
  const bodies = new Map<string, { label: Label; rules: CompiledRule[] }>();
  const leaf = ({ key, rules }: Range) => {
    if (rules.length === 0) asm.ret(defaultAction);
    else if (rules.length === 1 && rules[0].args.length === 0) asm.ret(rules[0].action);
    else {
      const body = bodies.get(key) ?? { label: asm.newLabel('rules'), rules };
      bodies.set(key, body);
      asm.ja(body.label);
    }
  };
  const search = (from: number, to: number) => { // ranges[from..to], A = nr
    if (from === to) return leaf(ranges[from]);
    const middle = (from + to + 1) >> 1;
    const upper = asm.newLabel('ge');
    asm.jump('ge', ranges[middle].first, upper);
    search(from, middle - 1);
    asm.place(upper);
    search(middle, to);
  };
  search(0, ranges.length - 1);

  for (const { label, rules } of bodies.values()) {
    asm.place(label);
    for (const rule of rules) {
      const next = asm.newLabel('next');
      rule.args.forEach((arg) => emitArgTest(asm, arg, next, filterArch.wideArgs));
      asm.ret(rule.action);
      asm.place(next);
    }
    if (rules.every((rule) => rule.args.length > 0)) asm.ret(defaultAction);
  }
}

/**
 * How each comparison reads on (high word, low word): when the high words differ the answer is
 * known (`above`/`below` the value's high word); when equal, the low words decide with `low`
 * (negated for NE/LT/LE).
 */
const comparisons = {
  SCMP_CMP_EQ: { above: 'fail', below: 'fail', low: 'eq', negate: false },
  SCMP_CMP_NE: { above: 'match', below: 'match', low: 'eq', negate: true },
  SCMP_CMP_GT: { above: 'match', below: 'fail', low: 'gt', negate: false },
  SCMP_CMP_GE: { above: 'match', below: 'fail', low: 'ge', negate: false },
  SCMP_CMP_LT: { above: 'fail', below: 'match', low: 'ge', negate: true },
  SCMP_CMP_LE: { above: 'fail', below: 'match', low: 'gt', negate: true },
} as const;

/** Falls through when `arg` holds, jumps to `fail` otherwise. A is clobbered. */
function emitArgTest(asm: BpfAssembler, arg: SeccompArg, fail: Label, wide: boolean): void {
  const value = split(arg.value);
  const low = argLow(arg.index);
  const high = low + 4;
  if (arg.op === 'SCMP_CMP_MASKED_EQ') {
    const want = split(arg.valueTwo ?? 0);
    if (wide) asm.load(high).and(value.high).jump('eq', want.high, null, fail);
    asm.load(low).and(value.low).jump('eq', want.low, null, fail);
    return;
  }
  const comparison = comparisons[arg.op];
  if (!comparison) throw new RootlessError(`seccomp operator ${JSON.stringify(arg.op)} is not supported`);
  const match = asm.newLabel('match');
  if (wide) {
    const target = (outcome: 'match' | 'fail') => (outcome === 'match' ? match : fail);
    asm.load(high);
    if (comparison.above === comparison.below) asm.jump('eq', value.high, null, target(comparison.above));
    else asm.jump('gt', value.high, target(comparison.above)).jump('eq', value.high, null, target(comparison.below));
  }
  asm.load(low);
  if (comparison.negate) asm.jump(comparison.low, value.low, fail, null);
  else asm.jump(comparison.low, value.low, null, fail);
  asm.place(match);
}

function split(value: number): { high: number; low: number } {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RootlessError(`seccomp argument value ${value} is not an unsigned integer below 2^53`);
  }
  return { high: Math.floor(value / 0x100000000), low: value % 0x100000000 };
}
