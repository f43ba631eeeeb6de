// `rootless run` security flags → the spec's process.capabilities, noNewPrivileges, rlimits,
// linux.seccomp, maskedPaths, readonlyPaths, root.readonly and linux.resources. Pure: the CLI
// reads a seccomp profile file and passes its text in.
import { RootlessError } from '../errors.js';
import { processCapabilities, type LinuxCapabilities } from '../runtime/capabilities.js';
import { DEFAULT_PROFILE } from '../runtime/seccomp/default-profile.js';
import { parseProfile, resolveProfile, type LinuxSeccomp } from '../runtime/seccomp/profile.js';
import { parseResources, type SpecResources } from './resources.js';
import type { SecurityRunOptions } from './security-flags.js';

/** Docker's defaults (moby oci/defaults.go): hidden, and read-only, parts of /proc and /sys. */
export const MASKED_PATHS: readonly string[] = [
  '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list', '/proc/timer_stats',
  '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap',
];
export const READONLY_PATHS: readonly string[] = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

export interface SeccompChoice {
  /** `seccomp=unconfined` */
  unconfined: boolean;
  /** `seccomp=FILE` */
  profileFile?: string;
}

export interface SecurityOpts {
  noNewPrivileges: boolean;
  seccomp: SeccompChoice;
}

const securityOptRemedy = 'Use no-new-privileges, seccomp=unconfined or seccomp=/path/to/profile.json';

/** `--security-opt` values, `key=value` or Docker's older `key:value`. */
export function parseSecurityOpts(values: readonly string[]): SecurityOpts {
  const opts: SecurityOpts = { noNewPrivileges: false, seccomp: { unconfined: false } };
  for (const text of values) {
    const match = /^([a-z-]+)(?:[=:](.*))?$/.exec(text);
    const [key, value] = match ? [match[1]!, match[2]] : ['', undefined];
    if (key === 'no-new-privileges' && (value === undefined || value === 'true' || value === 'false')) {
      opts.noNewPrivileges = value !== 'false';
    } else if (key === 'seccomp' && value) {
      opts.seccomp = value === 'unconfined' ? { unconfined: true } : { unconfined: false, profileFile: value };
    } else if ((key === 'label' || key === 'apparmor') && value) {
      // no SELinux or AppArmor labels are applied: accepted so podman/docker scripts keep working
    } else {
      throw new RootlessError(`invalid --security-opt "${text}"`, { remedy: securityOptRemedy });
    }
  }
  return opts;
}

/** RLIMIT_* for each `--ulimit` name (Docker's names). */
const ULIMIT_NAMES: Readonly<Record<string, string>> = {
  as: 'RLIMIT_AS', core: 'RLIMIT_CORE', cpu: 'RLIMIT_CPU', data: 'RLIMIT_DATA', fsize: 'RLIMIT_FSIZE',
  locks: 'RLIMIT_LOCKS', memlock: 'RLIMIT_MEMLOCK', msgqueue: 'RLIMIT_MSGQUEUE', nice: 'RLIMIT_NICE',
  nofile: 'RLIMIT_NOFILE', nproc: 'RLIMIT_NPROC', rss: 'RLIMIT_RSS', rtprio: 'RLIMIT_RTPRIO',
  rttime: 'RLIMIT_RTTIME', sigpending: 'RLIMIT_SIGPENDING', stack: 'RLIMIT_STACK',
};

/** OCI `process.rlimits[]`; RLIM_INFINITY (unlimited, -1) is 2^64-1. */
export interface SpecRlimit {
  type: string;
  soft: number;
  hard: number;
}

export const RLIM_INFINITY = 2 ** 64 - 1;

function ulimitValue(text: string, whole: string): number {
  if (text === '-1' || text === 'unlimited') return RLIM_INFINITY;
  if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new RootlessError(`invalid --ulimit "${whole}": "${text}" is not a number`, { remedy: 'Write it as NAME=SOFT[:HARD], e.g. nofile=1024:4096 (-1 for unlimited)' });
  }
  return Number(text);
}

/** `NAME=SOFT[:HARD]`; HARD defaults to SOFT; a later flag for the same name wins. */
export function parseUlimits(values: readonly string[]): SpecRlimit[] {
  const byType = new Map<string, SpecRlimit>();
  for (const text of values) {
    const match = /^([a-z]+)=([^:]+)(?::(.+))?$/.exec(text);
    const type = match ? ULIMIT_NAMES[match[1]!] : undefined;
    if (!match || !type) {
      throw new RootlessError(`invalid --ulimit "${text}"`, { remedy: `Write it as NAME=SOFT[:HARD] with NAME one of ${Object.keys(ULIMIT_NAMES).join(', ')}` });
    }
    const soft = ulimitValue(match[2]!, text);
    const hard = match[3] === undefined ? soft : ulimitValue(match[3], text);
    if (soft > hard) throw new RootlessError(`invalid --ulimit "${text}": the soft limit is above the hard limit`, { remedy: 'Give SOFT ≤ HARD' });
    byType.set(type, { type, soft, hard });
  }
  return [...byType.values()];
}

export interface SecuritySpec {
  capabilities: LinuxCapabilities;
  noNewPrivileges: boolean;
  rlimits: SpecRlimit[];
  seccomp?: LinuxSeccomp;
  maskedPaths: string[];
  readonlyPaths: string[];
  readonlyRoot: boolean;
  resources: SpecResources;
}

export interface SecurityInput {
  options: SecurityRunOptions;
  /** The container user's uid (inside the container). */
  uid: number;
  /** The text of `--security-opt seccomp=FILE`, read by the CLI. */
  seccompProfile?: { file: string; text: string };
}

/** Docker's defaults unless flags say otherwise; `--privileged` drops seccomp and the path rules. */
export function securitySpec({ options, uid, seccompProfile }: SecurityInput): SecuritySpec {
  const opts = parseSecurityOpts(options.securityOpt);
  const capabilities = processCapabilities({ uid, capAdd: options.capAdd, capDrop: options.capDrop, privileged: options.privileged });
  const confined = !options.privileged && !opts.seccomp.unconfined;
  const profile = seccompProfile ? parseProfile(seccompProfile.text, seccompProfile.file) : DEFAULT_PROFILE;
  return {
    capabilities,
    noNewPrivileges: opts.noNewPrivileges,
    rlimits: parseUlimits(options.ulimit),
    ...(confined ? { seccomp: resolveProfile(profile, { capabilities: capabilities.bounding }) } : {}),
    maskedPaths: options.privileged ? [] : [...MASKED_PATHS],
    readonlyPaths: options.privileged ? [] : [...READONLY_PATHS],
    readonlyRoot: options.readOnly,
    resources: parseResources(options),
  };
}
