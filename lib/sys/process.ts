// Process-state syscalls the container's init needs right before execve. All are per-thread or
// per-process state: call them synchronously on Node's main thread.
import { libc, check } from './libc.js';

const setresuidFn = libc.func('int setresuid(uint32_t ruid, uint32_t euid, uint32_t suid)');
const setresgidFn = libc.func('int setresgid(uint32_t rgid, uint32_t egid, uint32_t sgid)');
const setgroupsFn = libc.func('int setgroups(size_t size, const uint32_t *list)');
const sethostnameFn = libc.func('int sethostname(const char *name, size_t len)');
const fcntlFn = libc.func('int fcntl(int fd, int cmd, ...)');
const closeRangeFn = libc.func('int close_range(unsigned int first, unsigned int last, int flags)');
const execveFn = libc.func('int execve(const char *path, const char **argv, const char **envp)');
const signalFn = libc.func('void *signal(int sig, void *handler)');
const sigprocmaskFn = libc.func('int sigprocmask(int how, const void *set, void *oldset)');
const prlimitFn = libc.func('int prlimit(int pid, int resource, const void *newLimit, void *oldLimit)');


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

const SIGKILL = 9;
const SIGSTOP = 19;
const LAST_SIGNAL = 64;

/**
 * Restores every signal's default disposition and unblocks all: an ignored signal survives execve,
 * and stage 2 may inherit some ignored (Node ignores SIGPIPE and SIGXFSZ; a shell's background job
 * starts with SIGINT and SIGQUIT ignored). glibc's own realtime signals refuse, harmlessly.
 */
export function resetSignals(): void {
  for (let signal = 1; signal <= LAST_SIGNAL; signal += 1) if (signal !== SIGKILL && signal !== SIGSTOP) signalFn(signal, null);
  check('sigprocmask', sigprocmaskFn(SIG_SETMASK, Buffer.alloc(128), null) as number);
}

/** Replaces the process image; returns only by throwing the SysError of a failed execve. */
export function execve(path: string, argv: string[], envp: string[]): never {
  check('execve', execveFn(path, [...argv, null], [...envp, null]) as number, path);
  throw new Error('execve returned without an error');
}

/** RLIMIT_* numbers of x86_64 and aarch64 (asm-generic/resource.h), for the container's process.rlimits. */
export const RLIMIT: Readonly<Record<string, number>> = {
  RLIMIT_CPU: 0, RLIMIT_FSIZE: 1, RLIMIT_DATA: 2, RLIMIT_STACK: 3, RLIMIT_CORE: 4, RLIMIT_RSS: 5,
  RLIMIT_NPROC: 6, RLIMIT_NOFILE: 7, RLIMIT_MEMLOCK: 8, RLIMIT_AS: 9, RLIMIT_LOCKS: 10,
  RLIMIT_SIGPENDING: 11, RLIMIT_MSGQUEUE: 12, RLIMIT_NICE: 13, RLIMIT_RTPRIO: 14, RLIMIT_RTTIME: 15,
};

/** rlim_t is 64-bit on x86_64 and aarch64; RLIM_INFINITY is all ones. */
const RLIM_INFINITY = 0xffffffffffffffffn;

/** A JSON number at or above 2^63 can only mean "unlimited" (2^64-1 does not survive JSON). */
function rlimValue(value: number): bigint {
  return value >= 2 ** 63 ? RLIM_INFINITY : BigInt(value);
}

/** Sets one limit of this process; `resource` is an OCI name such as RLIMIT_NOFILE. */
export function setRlimit(resource: string, soft: number, hard: number): void {
  const number = RLIMIT[resource];
  if (number === undefined) throw new Error(`unknown rlimit ${resource}`);
  const limit = Buffer.alloc(16); // struct rlimit { rlim_t rlim_cur, rlim_max; }
  limit.writeBigUInt64LE(rlimValue(soft), 0);
  limit.writeBigUInt64LE(rlimValue(hard), 8);
  check(`prlimit ${resource}`, prlimitFn(0, number, limit, null) as number);
}
