// Stage 2's "safe by default" steps, in the order of docs/security.md: the seccomp program is
// prepared before pivot_root (a custom profile imports the compiler from lib/); after it, masked
// and read-only paths and the read-only root; rlimits; then the seccomp filter, the capability
// sets around the change of user, no_new_privs, and the filter as late as possible.
import { statSync } from 'node:fs';
import { applyCapabilities } from '../sys/caps.js';
import { MOUNT_ATTR_RDONLY, MS_BIND, MS_RDONLY, MS_REC, mount, mountSetattr } from '../sys/mount.js';
import { setRlimit } from '../sys/process.js';
import { loadSeccompFilter, setNoNewPrivileges } from '../sys/seccomp.js';
import type { RuntimeSpec } from '../spec/oci.js';
import { capabilityNumbers } from './capabilities.js';
import { step } from './init-error.js';
import { seccompProgram } from './seccomp/program.js';

export interface Confinement {
  program?: Buffer;
  caps: ReturnType<typeof capabilityNumbers>;
}

/** Before pivot_root: everything that may need a module from lib/. */
export async function prepareConfinement(spec: RuntimeSpec): Promise<Confinement> {
  const seccomp = spec.linux.seccomp;
  const program = seccomp ? await seccompProgram(seccomp) : undefined;
  return { program, caps: capabilityNumbers(spec.process.capabilities) };
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/** runc's maskPath: /dev/null over a file, an empty read-only tmpfs over a directory. */
function maskPath(target: string): void {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(target).isDirectory();
  } catch (error) {
    if (isMissing(error)) return;
    throw error;
  }
  if (isDirectory) mount('tmpfs', target, 'tmpfs', MS_RDONLY, 'size=0');
  else mount('/dev/null', target, null, MS_BIND);
}

/** A recursive bind onto itself, then read-only: mount_setattr keeps the flags the kernel locked. */
function readonlyPath(target: string): void {
  try {
    mount(target, target, null, MS_BIND | MS_REC);
  } catch (error) {
    if (isMissing(error)) return;
    throw error;
  }
  mountSetattr(target, MOUNT_ATTR_RDONLY, true);
}

/** After pivot_root and after the working directory exists (a read-only root cannot create it). */
export function restrictPaths(spec: RuntimeSpec): void {
  for (const target of spec.linux.maskedPaths ?? []) step(`mask ${target}`, () => maskPath(target));
  for (const target of spec.linux.readonlyPaths ?? []) step(`make ${target} read-only`, () => readonlyPath(target));
  if (spec.root.readonly) step('make the root filesystem read-only', () => mountSetattr('/', MOUNT_ATTR_RDONLY, false));
}

/** Limits survive execve and the change of user; raising a hard limit needs privilege on the host. */
export function setRlimits(spec: RuntimeSpec): void {
  for (const { type, soft, hard } of spec.process.rlimits ?? []) {
    const what = `--ulimit: set ${type} to ${soft}:${hard} (a hard limit above the host user's \`ulimit -H\` needs privilege)`;
    step(what, () => setRlimit(type, soft, hard));
  }
}

/**
 * Seccomp, capabilities and no_new_privs around `changeUser` (setgroups/setresgid/setresuid).
 * Without no_new_privs the kernel wants CAP_SYS_ADMIN to load a filter: load it while root still
 * holds every capability. Every step after the filter is allowed by the default profile.
 */
export function confine(spec: RuntimeSpec, { program, caps }: Confinement, changeUser: () => void): void {
  const flags = spec.linux.seccomp?.flags;
  const noNewPrivileges = spec.process.noNewPrivileges === true;
  if (program && !noNewPrivileges) step('load the seccomp filter', () => loadSeccompFilter(program, flags));
  step('apply the capabilities', () => applyCapabilities(caps, changeUser));
  if (noNewPrivileges) step('set no_new_privs', () => setNoNewPrivileges());
  if (program && noNewPrivileges) step('load the seccomp filter', () => loadSeccompFilter(program, flags));
}
