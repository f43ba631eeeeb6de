// The one door to koffi: loads libc once and turns a failed call's errno into a SysError that
// names the syscall, the path and the errno, as crun's messages do.
import koffi from 'koffi';
import os from 'node:os';

export const libc = koffi.load('libc.so.6');
export { koffi };

const errnoNames: Map<number, string> = new Map(
  Object.entries(os.constants.errno).map(([name, value]) => [value, name]),
);

/** syscall(2) for calls glibc has no wrapper for; a variadic: pass each argument's type before it. */
export const syscall = libc.func('long syscall(long number, ...)');

export function errnoName(errno: number): string {
  return errnoNames.get(errno) ?? `errno ${errno}`;
}

export class SysError extends Error {
  readonly syscall: string;
  readonly errno: number;
  readonly code: string;
  readonly path?: string;

  constructor(syscall: string, errno: number, path?: string) {
    const where = path === undefined ? '' : ` \`${path}\``;
    super(`${syscall}${where}: ${os.constants.errno ? describeErrno(errno) : errno}`);
    this.name = 'SysError';
    this.syscall = syscall;
    this.errno = errno;
    this.code = errnoName(errno);
    this.path = path;
  }
}

export function describeErrno(errno: number): string {
  const name = errnoName(errno);
  const text = strerror(errno);
  return text ? `${text} (${name})` : name;
}

const strerrorFn = libc.func('const char *strerror(int errnum)');
function strerror(errno: number): string {
  return (strerrorFn(errno) as string | null) ?? '';
}

/** Throws a SysError when a libc call returned -1; returns the result otherwise. */
export function check<T extends number | bigint>(syscall: string, result: T, path?: string): T {
  if (result === -1 || result === -1n) throw new SysError(syscall, koffi.errno(), path);
  return result;
}
