// prlimit(2) on the calling process, for the container's `process.rlimits` (stage 2, before execve:
// limits survive it). rlim_t is 64-bit on x86_64 and aarch64; RLIM_INFINITY is all ones.
import { check, libc } from './libc.js';

/** RLIMIT_* numbers of x86_64 and aarch64 (asm-generic/resource.h). */
export const RLIMIT: Readonly<Record<string, number>> = {
  RLIMIT_CPU: 0, RLIMIT_FSIZE: 1, RLIMIT_DATA: 2, RLIMIT_STACK: 3, RLIMIT_CORE: 4, RLIMIT_RSS: 5,
  RLIMIT_NPROC: 6, RLIMIT_NOFILE: 7, RLIMIT_MEMLOCK: 8, RLIMIT_AS: 9, RLIMIT_LOCKS: 10,
  RLIMIT_SIGPENDING: 11, RLIMIT_MSGQUEUE: 12, RLIMIT_NICE: 13, RLIMIT_RTPRIO: 14, RLIMIT_RTTIME: 15,
};

const RLIM_INFINITY = 0xffffffffffffffffn;

const prlimitFn = libc.func('int prlimit(int pid, int resource, const void *newLimit, void *oldLimit)');

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
