// Capabilities: names and numbers, Docker's default set, --cap-add/--cap-drop/--privileged, and
// the OCI `process.capabilities` object for the container's user.
//
// Root in the container (uid 0) gets the set as bounding, effective and permitted; inheritable
// and ambient stay empty, as Docker and Podman do. A non-root user (`-u 1000`) follows Podman:
// bounding is the set, and only capabilities named with --cap-add become effective, permitted,
// inheritable and ambient, so they survive execve (`--cap-add NET_BIND_SERVICE -u 1000` can bind
// port 80). Docker gives a non-root user the set as effective/permitted without ambient, which the
// kernel clears at execve: such a user ends with no capabilities either way, unless added.
import { RootlessError } from '../errors.js';

/** Index = capability number (linux/capability.h), up to CAP_CHECKPOINT_RESTORE (40). */
export const CAPABILITIES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT',
  'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE',
  'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG',
  'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

const numbers = new Map(CAPABILITIES.map((name, number) => [name, number]));

/** Docker's default set (moby oci/caps/defaults.go). */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

const ALL = 'ALL';

/** `net_admin`, `NET_ADMIN`, `CAP_NET_ADMIN` → `CAP_NET_ADMIN`; `all` → `ALL`; unknown → exit 125. */
export function normalizeCapability(name: string): string {
  const upper = name.trim().toUpperCase();
  if (upper === ALL) return ALL;
  const full = upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
  if (!numbers.has(full)) {
    throw new RootlessError(`unknown capability "${name}"`, {
      remedy: 'Use a name from capabilities(7) such as NET_ADMIN or CAP_SYS_PTRACE, or ALL',
    });
  }
  return full;
}

export function capabilityNumber(name: string): number {
  const number = numbers.get(normalizeCapability(name));
  if (number === undefined) throw new RootlessError('"ALL" is not a single capability');
  return number;
}

export interface CapabilityRequest {
  capAdd?: readonly string[];
  capDrop?: readonly string[];
  privileged?: boolean;
}

/** The container's capability set, ordered by number, resolved as Docker's TweakCapabilities. */
export function resolveCapabilities({ capAdd = [], capDrop = [], privileged = false }: CapabilityRequest): string[] {
  const add = new Set(capAdd.map(normalizeCapability));
  const drop = new Set(capDrop.map(normalizeCapability));
  let caps: Set<string>;
  if (privileged) caps = new Set(CAPABILITIES);
  else if (add.has(ALL)) caps = new Set(CAPABILITIES.filter((cap) => !drop.has(cap)));
  else if (drop.has(ALL)) caps = add;
  else caps = new Set([...DEFAULT_CAPABILITIES.filter((cap) => !drop.has(cap)), ...add]); // an add beats a drop
  return byNumber(caps);
}

/** OCI `process.capabilities`. */
export interface LinuxCapabilities {
  bounding: string[];
  effective: string[];
  inheritable: string[];
  permitted: string[];
  ambient: string[];
}

/** `process.capabilities` for a container whose process runs as `uid` (inside the container). */
export function processCapabilities(request: CapabilityRequest & { uid: number }): LinuxCapabilities {
  const bounding = resolveCapabilities(request);
  if (request.uid === 0) {
    return { bounding, effective: bounding, permitted: bounding, inheritable: [], ambient: [] };
  }
  const added = new Set((request.capAdd ?? []).map(normalizeCapability));
  const granted = bounding.filter((cap) => added.has(ALL) || added.has(cap));
  return { bounding, effective: granted, permitted: granted, inheritable: granted, ambient: granted };
}

/** Capability numbers for lib/sys/caps.ts; a set config.json leaves out is empty (OCI). */
export function capabilityNumbers(sets: Partial<LinuxCapabilities> = {}): Record<keyof LinuxCapabilities, number[]> {
  const convert = (names: string[] = []) => names.map(capabilityNumber);
  return {
    bounding: convert(sets.bounding),
    effective: convert(sets.effective),
    inheritable: convert(sets.inheritable),
    permitted: convert(sets.permitted),
    ambient: convert(sets.ambient),
  };
}

function byNumber(caps: Set<string>): string[] {
  return [...caps].filter((cap) => cap !== ALL).sort((a, b) => numbers.get(a)! - numbers.get(b)!);
}
