// Process-state syscalls the container's init needs right before execve. All are per-thread or
// per-process state: call them synchronously on Node's main thread.
import { libc, check } from './libc.js';

const setresuidFn = libc.func('int setresuid(uint32_t ruid, uint32_t euid, uint32_t suid)');
const setresgidFn = libc.func('int setresgid(uint32_t rgid, uint32_t egid, uint32_t sgid)');
const setgroupsFn = libc.func('int setgroups(size_t size, const uint32_t *list)');
const sethostnameFn = libc.func('int sethostname(const char *name, size_t len)');
const prctlFn = libc.func('int prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4, unsigned long arg5)');
const fcntlFn = libc.func('int fcntl(int fd, int cmd, ...)');
const closeRangeFn = libc.func('int close_range(unsigned int first, unsigned int last, int flags)');
const execveFn = libc.func('int execve(const char *path, const char **argv, const char **envp)');
const signalFn = libc.func('void *signal(int sig, void *handler)');
const sigprocmaskFn = libc.func('int sigprocmask(int how, const void *set, void *oldset)');

export const PR_SET_PDEATHSIG = 1;

const F_GETFD = 1;
const F_SETFD = 2;
const F_GETFL = 3;
const F_SETFL = 4;
const FD_CLOEXEC = 1;
const O_NONBLOCK = 0o4000;
const CLOSE_RANGE_CLOEXEC = 1 << 2;
const SIG_SETMASK = 2;

export function setresuid(uid: number): void {
  check('setresuid', setresuidFn(uid, uid, uid) as number);
}

export function setresgid(gid: number): void {
  check('setresgid', setresgidFn(gid, gid, gid) as number);
}

export function setgroups(gids: number[]): void {
  check('setgroups', setgroupsFn(gids.length, gids.length ? new Uint32Array(gids) : null) as number);
}

export function sethostname(name: string): void {
  check('sethostname', sethostnameFn(name, Buffer.byteLength(name)) as number, name);
}

export function prctl(option: number, arg2 = 0, arg3 = 0, arg4 = 0, arg5 = 0): number {
  return check('prctl', prctlFn(option, arg2, arg3, arg4, arg5) as number);
}

/** Makes fd survive execve in blocking mode (Node marks 0-2 close-on-exec and may set O_NONBLOCK). */
export function prepareInheritedFd(fd: number): void {
  const fdFlags = check('fcntl', fcntlFn(fd, F_GETFD) as number);
  check('fcntl', fcntlFn(fd, F_SETFD, 'int', fdFlags & ~FD_CLOEXEC) as number);
  const statusFlags = check('fcntl', fcntlFn(fd, F_GETFL) as number);
  check('fcntl', fcntlFn(fd, F_SETFL, 'int', statusFlags & ~O_NONBLOCK) as number);
}

/** Marks every fd from `first` up close-on-exec. */
export function closeOnExecFrom(first: number): void {
  check('close_range', closeRangeFn(first, 0xffffffff, CLOSE_RANGE_CLOEXEC) as number);
}

/** Restores the default disposition of signals Node ignores (SIGPIPE, SIGXFSZ) and unblocks all. */
export function resetSignals(signals: number[]): void {
  for (const signal of signals) signalFn(signal, null);
  check('sigprocmask', sigprocmaskFn(SIG_SETMASK, Buffer.alloc(128), null) as number);
}

/** Replaces the process image; returns only by throwing the SysError of a failed execve. */
export function execve(path: string, argv: string[], envp: string[]): never {
  check('execve', execveFn(path, [...argv, null], [...envp, null]) as number, path);
  throw new Error('execve returned without an error');
}
