// Seccomp profiles in Docker's JSON format, and their resolution for one container into the OCI
// runtime-spec's `linux.seccomp` (what config.json carries and the runtime compiles). Docker's
// `includes`/`excludes` (caps, arches, minKernel) are decided here, as moby does when it builds
// the spec; the runtime side sees only plain rules.
import os from 'node:os';
import { RootlessError } from '../../errors.js';
import { hostArch, type HostArch } from './arch.js';

export const SECCOMP_ACTIONS = [
  'SCMP_ACT_KILL', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_TRAP',
  'SCMP_ACT_ERRNO', 'SCMP_ACT_TRACE', 'SCMP_ACT_LOG', 'SCMP_ACT_ALLOW',
] as const;
export type SeccompAction = (typeof SECCOMP_ACTIONS)[number];

export const SECCOMP_OPERATORS = [
  'SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ',
] as const;
export type SeccompOperator = (typeof SECCOMP_OPERATORS)[number];

/** One argument test; MASKED_EQ means `(arg & value) == valueTwo`. Values are unsigned 64-bit. */
export interface SeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: SeccompOperator;
}

/** OCI `linux.seccomp.syscalls[]`: every arg test must hold for the rule to apply. */
export interface SeccompRule {
  names: string[];
  action: SeccompAction;
  errnoRet?: number;
  args?: SeccompArg[];
}

/** OCI `linux.seccomp`. */
export interface LinuxSeccomp {
  defaultAction: SeccompAction;
  defaultErrnoRet?: number;
  architectures?: string[];
  /** SECCOMP_FILTER_FLAG_* names, passed to seccomp(2) by lib/sys/seccomp.ts. */
  flags?: string[];
  syscalls?: SeccompRule[];
}

export interface ProfileCondition {
  caps?: string[];
  arches?: string[];
  minKernel?: string;
}

export interface ProfileRule extends Omit<SeccompRule, 'names'> {
  names?: string[];
  /** Docker's older single-name form. */
  name?: string;
  comment?: string;
  includes?: ProfileCondition;
  excludes?: ProfileCondition;
}

/** Docker's seccomp profile (moby `profiles/seccomp/default.json`, `--security-opt seccomp=FILE`). */
export interface SeccompProfile {
  defaultAction: SeccompAction;
  defaultErrnoRet?: number;
  architectures?: string[];
  archMap?: Array<{ architecture: string; subArchitectures: string[] | null }>;
  flags?: string[];
  syscalls?: ProfileRule[];
}

export interface ResolveOptions {
  /** The container's bounding set, `CAP_…` names: `includes.caps` need all, `excludes.caps` any. */
  capabilities: readonly string[];
  arch?: HostArch;
  /** `uname -r`, for `includes.minKernel`. */
  kernelRelease?: string;
}

/** The rules that apply to this container, as moby resolves them for its spec. */
export function resolveProfile(profile: SeccompProfile, options: ResolveOptions): LinuxSeccomp {
  const arch = options.arch ?? hostArch();
  const caps = new Set(options.capabilities);
  const kernel = kernelVersion(options.kernelRelease ?? os.release());
  const applies = (rule: ProfileRule): boolean => {
    const { includes = {}, excludes = {} } = rule;
    if (includes.arches?.length && !includes.arches.includes(arch.goarch)) return false;
    if (includes.caps?.some((cap) => !caps.has(cap))) return false;
    if (includes.minKernel && compareVersions(kernel, kernelVersion(includes.minKernel)) < 0) return false;
    if (excludes.arches?.includes(arch.goarch)) return false;
    return !excludes.caps?.some((cap) => caps.has(cap));
  };
  const syscalls = (profile.syscalls ?? []).filter(applies).map((rule): SeccompRule => ({
    names: rule.names ?? (rule.name ? [rule.name] : []),
    action: rule.action,
    ...(rule.errnoRet === undefined ? {} : { errnoRet: rule.errnoRet }),
    ...(rule.args?.length ? { args: rule.args } : {}),
  }));
  return {
    defaultAction: profile.defaultAction,
    ...(profile.defaultErrnoRet === undefined ? {} : { defaultErrnoRet: profile.defaultErrnoRet }),
    architectures: profileArchitectures(profile, arch),
    ...(profile.flags?.length ? { flags: profile.flags } : {}),
    syscalls,
  };
}

/** `architectures` if given, else the archMap entry of the host: native plus sub-architectures. */
function profileArchitectures(profile: SeccompProfile, arch: HostArch): string[] {
  if (profile.architectures?.length) return profile.architectures;
  const entry = profile.archMap?.find((candidate) => candidate.architecture === arch.native.name);
  return entry ? [entry.architecture, ...(entry.subArchitectures ?? [])] : [arch.native.name];
}

function kernelVersion(release: string): number[] {
  const match = /^(\d+)\.(\d+)/.exec(release);
  return match ? [Number(match[1]), Number(match[2])] : [0, 0];
}

function compareVersions(a: number[], b: number[]): number {
  return a[0] - b[0] || a[1] - b[1];
}

/** Parses and checks a user's profile (`--security-opt seccomp=FILE`); errors name the field. */
export function parseProfile(text: string, source: string): SeccompProfile {
  const invalid = (what: string, cause?: unknown) =>
    new RootlessError(`seccomp profile ${source}: ${what}`, {
      remedy: 'Fix the profile (Docker\'s format, see moby profiles/seccomp/default.json)',
      cause,
    });
  let profile: unknown;
  try {
    profile = JSON.parse(text);
  } catch (error) {
    throw invalid(`not JSON (${(error as Error).message})`, error);
  }
  if (!isObject(profile)) throw invalid('not a JSON object');
  checkAction(profile.defaultAction, 'defaultAction', invalid);
  if (profile.syscalls !== undefined && !Array.isArray(profile.syscalls)) throw invalid('syscalls is not a list');
  ((profile.syscalls ?? []) as unknown[]).forEach((rule, i) => {
    const where = `syscalls[${i}]`;
    if (!isObject(rule)) throw invalid(`${where} is not an object`);
    const names = rule.names ?? (rule.name === undefined ? undefined : [rule.name]);
    if (!Array.isArray(names) || names.some((name) => typeof name !== 'string')) {
      throw invalid(`${where}.names is not a list of syscall names`);
    }
    checkAction(rule.action, `${where}.action`, invalid);
    if (rule.args !== undefined && !Array.isArray(rule.args)) throw invalid(`${where}.args is not a list`);
    ((rule.args ?? []) as unknown[]).forEach((arg, j) => checkArg(arg, `${where}.args[${j}]`, invalid));
  });
  return profile as unknown as SeccompProfile;
}

type Invalid = (what: string) => RootlessError;

function checkAction(action: unknown, where: string, invalid: Invalid): void {
  if (!SECCOMP_ACTIONS.includes(action as SeccompAction)) {
    throw invalid(`${where} ${JSON.stringify(action)} is not one of ${SECCOMP_ACTIONS.join(', ')}`);
  }
}

function checkArg(arg: unknown, where: string, invalid: Invalid): void {
  if (!isObject(arg)) throw invalid(`${where} is not an object`);
  if (!Number.isInteger(arg.index) || (arg.index as number) < 0 || (arg.index as number) > 5) {
    throw invalid(`${where}.index must be 0 to 5`);
  }
  if (!SECCOMP_OPERATORS.includes(arg.op as SeccompOperator)) {
    throw invalid(`${where}.op ${JSON.stringify(arg.op)} is not one of ${SECCOMP_OPERATORS.join(', ')}`);
  }
  for (const field of ['value', 'valueTwo'] as const) {
    const value = arg[field];
    if (value === undefined && field === 'valueTwo') continue;
    if (!Number.isSafeInteger(value) || (value as number) < 0) {
      throw invalid(`${where}.${field} must be a non-negative integer below 2^53`);
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
