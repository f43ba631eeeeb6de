// Applies the container's capability sets in stage 2, around the change to the container's user.
// Every call here acts on the calling thread only: run it synchronously on the main thread, the
// one that will execve.
//
// Order (runc's and crun's):
//   1. PR_SET_KEEPCAPS 1: setresuid away from 0 must not empty the permitted set yet
//   2. drop from the bounding set every capability not kept (needs CAP_SETPCAP: still root)
//   3. changeUser(): setgroups/setresgid/setresuid; the kernel clears effective and ambient when
//      leaving uid 0, keeps permitted because of keepcaps
//   4. PR_SET_KEEPCAPS 0
//   5. capset(effective, permitted, inheritable); needs nothing more than the permitted set kept
//   6. ambient: clear all (stage 1's `--keep-caps` left every capability ambient), raise the kept
// Dropping after the user change would fail (no CAP_SETPCAP left for a non-root user); dropping
// everything before it would leave the new user unable to get the requested sets back.
import { check, libc } from './libc.js';
import { PR, PR_CAP_AMBIENT, prctl, prctlRaw } from './prctl.js';

/** Capability numbers per set (lib/runtime/capabilities.ts `capabilityNumbers`). */
export interface CapabilitySets {
  bounding: number[];
  effective: number[];
  permitted: number[];
  inheritable: number[];
  ambient: number[];
}

const LINUX_CAPABILITY_VERSION_3 = 0x20080522;

const capsetFn = libc.func('int capset(void *header, void *data)');

/** The highest capability number this kernel knows (/proc/sys/kernel/cap_last_cap, without /proc). */
export function lastCapability(): number {
  let cap = 0;
  while (prctlRaw(PR.CAPBSET_READ, cap + 1) >= 0) cap += 1;
  return cap;
}

export function dropBoundingSet(keep: number[], last = lastCapability()): void {
  const kept = new Set(keep);
  for (let cap = 0; cap <= last; cap += 1) {
    if (!kept.has(cap)) prctl(`prctl(PR_CAPBSET_DROP, ${cap})`, PR.CAPBSET_DROP, cap);
  }
}

/** capset(2) with _LINUX_CAPABILITY_VERSION_3: two 32-bit words per set. */
export function setCapabilities({ effective, permitted, inheritable }: Pick<CapabilitySets, 'effective' | 'permitted' | 'inheritable'>): void {
  const header = Buffer.alloc(8);
  header.writeUInt32LE(LINUX_CAPABILITY_VERSION_3, 0); // pid 0: this thread
  const data = Buffer.alloc(24); // struct __user_cap_data_struct[2] { effective, permitted, inheritable }
  const sets = [effective, permitted, inheritable];
  sets.forEach((set, i) => {
    for (const cap of set) {
      const offset = (cap >= 32 ? 12 : 0) + 4 * i;
      data.writeUInt32LE((data.readUInt32LE(offset) | (1 << (cap % 32))) >>> 0, offset);
    }
  });
  check('capset', capsetFn(header, data) as number);
}

export function setAmbient(ambient: number[]): void {
  prctl('prctl(PR_CAP_AMBIENT_CLEAR_ALL)', PR.CAP_AMBIENT, PR_CAP_AMBIENT.CLEAR_ALL);
  for (const cap of ambient) prctl(`prctl(PR_CAP_AMBIENT_RAISE, ${cap})`, PR.CAP_AMBIENT, PR_CAP_AMBIENT.RAISE, cap);
}

export function setKeepCapabilities(keep: boolean): void {
  prctl('prctl(PR_SET_KEEPCAPS)', PR.SET_KEEPCAPS, keep ? 1 : 0);
}

/**
 * Applies `sets` in the order above; `changeUser` sets groups, gid and uid (may do nothing).
 * Capabilities newer than the running kernel are left out, as runc does (`--privileged` names
 * CAP_CHECKPOINT_RESTORE, which a 5.4 kernel does not know).
 */
export function applyCapabilities(sets: CapabilitySets, changeUser: () => void): void {
  const last = lastCapability();
  const known = (set: number[]) => set.filter((cap) => cap <= last);
  setKeepCapabilities(true);
  dropBoundingSet(sets.bounding, last);
  changeUser();
  setKeepCapabilities(false);
  setCapabilities({ effective: known(sets.effective), permitted: known(sets.permitted), inheritable: known(sets.inheritable) });
  setAmbient(known(sets.ambient));
}
