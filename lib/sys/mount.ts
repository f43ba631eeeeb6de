// Mount syscalls: mount(2), umount2(2), pivot_root(2) and mount_setattr(2). glibc has no wrapper
// for the last two, so they go through syscall(2) with explicit argument types (koffi variadics).
import { libc, check, syscall } from './libc.js';

export const MS_RDONLY = 0x1;
export const MS_NOSUID = 0x2;
export const MS_NODEV = 0x4;
export const MS_NOEXEC = 0x8;
export const MS_NOATIME = 0x400;
export const MS_BIND = 0x1000;
export const MS_REC = 0x4000;
export const MS_PRIVATE = 0x40000;
export const MS_RELATIME = 0x200000;
export const MS_STRICTATIME = 0x1000000;

export const MNT_DETACH = 0x2;

export const MOUNT_ATTR_RDONLY = 0x1;
export const MOUNT_ATTR_NOSUID = 0x2;
export const MOUNT_ATTR_NODEV = 0x4;
export const MOUNT_ATTR_NOEXEC = 0x8;

const AT_FDCWD = -100;
export const AT_EMPTY_PATH = 0x1000;
export const AT_RECURSIVE = 0x8000;

const syscallNumbers: Record<string, { pivotRoot: number; mountSetattr: number }> = {
  x64: { pivotRoot: 155, mountSetattr: 442 },
  arm64: { pivotRoot: 41, mountSetattr: 442 },
};

const mountFn = libc.func('int mount(const char *source, const char *target, const char *fstype, unsigned long flags, const char *data)');
const umount2Fn = libc.func('int umount2(const char *target, int flags)');

function numbers(): { pivotRoot: number; mountSetattr: number } {
  const found = syscallNumbers[process.arch];
  if (!found) throw new Error(`no syscall numbers for architecture ${process.arch}`);
  return found;
}

export function mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null = null): void {
  check('mount', mountFn(source, target, fstype, flags, data) as number, target);
}

export function umount2(target: string, flags: number): void {
  check('umount2', umount2Fn(target, flags) as number, target);
}

export function pivotRoot(newRoot: string, putOld: string): void {
  check('pivot_root', syscall(numbers().pivotRoot, 'str', newRoot, 'str', putOld) as number, newRoot);
}

/**
 * mount_setattr(2): sets MOUNT_ATTR_* flags on the mount at `path` (relative to `dirfd`; '' with
 * AT_EMPTY_PATH for a detached mount's fd), through the user namespace `usernsFd` for an ID map.
 */
export function setMountAttributes(dirfd: number, path: string, atFlags: number, attrSet: number, usernsFd = 0, what = path): void {
  const attr = Buffer.alloc(32); // struct mount_attr { u64 attr_set, attr_clr, propagation, userns_fd }
  attr.writeBigUInt64LE(BigInt(attrSet), 0);
  attr.writeBigUInt64LE(BigInt(usernsFd), 24);
  const result = syscall(numbers().mountSetattr, 'int', dirfd, 'str', path, 'uint', atFlags, 'void *', attr, 'size_t', attr.length);
  check('mount_setattr', Number(result), what);
}

/** Sets MOUNT_ATTR_* flags on a mount and, with `recursive`, on every mount below it. */
export function mountSetattr(path: string, attrSet: number, recursive: boolean): void {
  setMountAttributes(AT_FDCWD, path, recursive ? AT_RECURSIVE : 0, attrSet);
}
