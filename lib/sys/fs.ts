// File-system calls Node lacks: mknod (overlay whiteouts, fifos), extended attributes without
// following symlinks, and flock(2) for the store lock. Failures throw SysError.
import { SysError, check, koffi, libc } from './libc.js';

const mknodFn = libc.func('int mknod(const char *path, uint32_t mode, uint64_t dev)');
const lsetxattrFn = libc.func('int lsetxattr(const char *path, const char *name, const void *value, size_t size, int flags)');
const lgetxattrFn = libc.func('intptr_t lgetxattr(const char *path, const char *name, _Out_ uint8_t *value, size_t size)');
const llistxattrFn = libc.func('intptr_t llistxattr(const char *path, _Out_ uint8_t *list, size_t size)');
const flockFn = libc.func('int flock(int fd, int operation)');

/** True when the call failed with one of `expected`; throws a SysError for any other failure. */
function failedWith(result: number, expected: string[], syscall: string, path?: string): boolean {
  if (result !== -1) return false;
  const error = new SysError(syscall, koffi.errno(), path);
  if (expected.includes(error.code)) return true;
  throw error;
}

export const S_IFCHR = 0o020000;
export const S_IFBLK = 0o060000;
export const S_IFIFO = 0o010000;

export const LOCK_EX = 2;
export const LOCK_NB = 4;

/** glibc's makedev encoding of a device number. */
export function makeDev(major: number, minor: number): bigint {
  const ma = BigInt(major);
  const mi = BigInt(minor);
  return ((ma & 0xfffn) << 8n) | ((ma & ~0xfffn) << 32n) | (mi & 0xffn) | ((mi & ~0xffn) << 12n);
}

/** `mode` includes the file type (S_IFCHR, S_IFBLK, S_IFIFO). */
export function mknod(path: string, mode: number, dev: bigint = 0n): void {
  check('mknod', mknodFn(path, mode, dev) as number, path);
}

export function lsetxattr(path: string, name: string, value: Buffer | string): void {
  const bytes = typeof value === 'string' ? Buffer.from(value) : value;
  check('lsetxattr', lsetxattrFn(path, name, bytes, bytes.length, 0) as number, path);
}

/** The value of one attribute, or undefined when the file does not have it. */
export function lgetxattr(path: string, name: string): Buffer | undefined {
  const size = lgetxattrFn(path, name, null, 0) as number;
  if (failedWith(size, ['ENODATA'], 'lgetxattr', path)) return undefined;
  const value = Buffer.alloc(size);
  const got = check('lgetxattr', lgetxattrFn(path, name, value, size) as number, path);
  return value.subarray(0, got);
}

export function llistxattr(path: string): string[] {
  const size = check('llistxattr', llistxattrFn(path, null, 0) as number, path);
  if (size === 0) return [];
  const list = Buffer.alloc(size);
  const got = check('llistxattr', llistxattrFn(path, list, size) as number, path);
  return list.toString('utf8', 0, got).split('\0').filter(Boolean);
}

/** flock(2); with LOCK_NB, false when another open file holds a conflicting lock. */
export function flock(fd: number, operation: number): boolean {
  return !failedWith(flockFn(fd, operation) as number, ['EWOULDBLOCK', 'EAGAIN'], 'flock');
}
