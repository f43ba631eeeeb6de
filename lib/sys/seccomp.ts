// Installs a seccomp BPF program on the calling thread (and what it execs). Call synchronously on
// the main thread just before execve: the filter applies to that thread only, and execve ends the
// others. Without no_new_privs the kernel wants CAP_SYS_ADMIN in the current user namespace, so
// either set no_new_privs first or load while that capability is still held.
import { check, koffi, libc } from './libc.js';
import { PR, prctl } from './prctl.js';

const SECCOMP_SET_MODE_FILTER = 1;

const SYS_SECCOMP: Partial<Record<string, number>> = { x64: 317, arm64: 277 };

/** OCI `linux.seccomp.flags` → SECCOMP_FILTER_FLAG_* (linux/seccomp.h). */
const FILTER_FLAGS: Partial<Record<string, number>> = {
  SECCOMP_FILTER_FLAG_TSYNC: 1,
  SECCOMP_FILTER_FLAG_LOG: 2,
  SECCOMP_FILTER_FLAG_SPEC_ALLOW: 4,
};

/** struct sock_fprog { unsigned short len; struct sock_filter *filter; } */
const SockFprog = koffi.struct('rootless_sock_fprog', { len: 'uint16_t', filter: 'void *' });
const syscall = libc.func('long syscall(long number, ...)');

/** prctl(PR_SET_NO_NEW_PRIVS, 1): execve can no longer grant privileges (setuid bits, file caps). */
export function setNoNewPrivileges(): void {
  prctl('prctl(PR_SET_NO_NEW_PRIVS)', PR.SET_NO_NEW_PRIVS, 1);
}

export function noNewPrivileges(): boolean {
  return prctl('prctl(PR_GET_NO_NEW_PRIVS)', PR.GET_NO_NEW_PRIVS) === 1;
}

/**
 * seccomp(SECCOMP_SET_MODE_FILTER, flags, &prog) with `program` as struct sock_filter[] (8 bytes
 * each) and `flags` as OCI names. Throws SysError: EACCES without no_new_privs or CAP_SYS_ADMIN,
 * EINVAL for a program or flag the kernel rejects.
 */
export function loadSeccompFilter(program: Uint8Array, flags: readonly string[] = [], nodeArch: string = process.arch): void {
  const nr = SYS_SECCOMP[nodeArch];
  if (nr === undefined) throw new Error(`seccomp syscall number unknown on ${nodeArch}`);
  if (program.length === 0 || program.length % 8 !== 0) throw new Error(`seccomp program of ${program.length} bytes is not whole instructions`);
  const flagBits = flags.reduce((bits, flag) => {
    const bit = FILTER_FLAGS[flag];
    if (bit === undefined) throw new Error(`seccomp flag ${flag} is not supported`);
    return bits | bit;
  }, 0);
  const fprog = { len: program.length / 8, filter: program };
  const result = syscall(nr, 'unsigned int', SECCOMP_SET_MODE_FILTER, 'unsigned int', flagBits, koffi.pointer(SockFprog), fprog);
  check('seccomp(SECCOMP_SET_MODE_FILTER)', Number(result));
}
