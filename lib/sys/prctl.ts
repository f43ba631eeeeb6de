// prctl(2), for the per-thread process attributes stage 2 sets before execve (no_new_privs,
// keepcaps, the capability bounding and ambient sets). Call on the main thread, synchronously.
import { check, libc } from './libc.js';

export const PR = {
  SET_PDEATHSIG: 1,
  SET_KEEPCAPS: 8,
  CAPBSET_READ: 23,
  CAPBSET_DROP: 24,
  SET_NO_NEW_PRIVS: 38,
  GET_NO_NEW_PRIVS: 39,
  CAP_AMBIENT: 47,
} as const;

export const PR_CAP_AMBIENT = { IS_SET: 1, RAISE: 2, LOWER: 3, CLEAR_ALL: 4 } as const;

const prctlFn = libc.func('int prctl(int option, ...)');

/** The raw result, -1 with errno set on failure. */
export function prctlRaw(option: number, arg2 = 0, arg3 = 0, arg4 = 0, arg5 = 0): number {
  return prctlFn(option, 'unsigned long', arg2, 'unsigned long', arg3, 'unsigned long', arg4, 'unsigned long', arg5) as number;
}

/** prctl that throws SysError naming `what` (e.g. `prctl(PR_CAPBSET_DROP)`) on failure. */
export function prctl(what: string, option: number, arg2 = 0, arg3 = 0, arg4 = 0, arg5 = 0): number {
  return check(what, prctlRaw(option, arg2, arg3, arg4, arg5));
}

/** The signal this process gets when its parent dies; a credential change clears it. */
export function setParentDeathSignal(signal: number): void {
  prctl('prctl(PR_SET_PDEATHSIG)', PR.SET_PDEATHSIG, signal);
}
