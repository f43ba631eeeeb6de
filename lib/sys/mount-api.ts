// The new mount API (Linux >= 5.12 for ID-mapped mounts): open_tree clones a mount as a detached
// file descriptor, mount_setattr ID-maps it through a user namespace, move_mount attaches it;
// fsopen/fsconfig/fsmount create a filesystem and, unlike mount(2), return the kernel's own
// reason for a refusal ("overlay: upper fs does not support tmpfile") instead of a bare EINVAL.
// Synchronous only: mount state is per thread in a Node process (see kernel-facts.md).
import { closeSync, openSync, readSync } from 'node:fs';
import { check, koffi, SysError, syscall } from './libc.js';
import { AT_EMPTY_PATH, AT_RECURSIVE, setMountAttributes } from './mount.js';

// The same numbers on x86_64 and aarch64 (these syscalls postdate the unified table).
const SYS_open_tree = 428;
const SYS_move_mount = 429;
const SYS_fsopen = 430;
const SYS_fsconfig = 431;
const SYS_fsmount = 432;

const AT_FDCWD = -100;
const OPEN_TREE_CLONE = 1;
const OPEN_TREE_CLOEXEC = 0o2000000;
const MOVE_MOUNT_F_EMPTY_PATH = 0x4;
const MOUNT_ATTR_IDMAP = 0x100000;
const FSOPEN_CLOEXEC = 1;
const FSMOUNT_CLOEXEC = 1;
const FSCONFIG_SET_FLAG = 0;
const FSCONFIG_SET_STRING = 1;
const FSCONFIG_CMD_CREATE = 6;

/** A detached copy of the mount tree at `path` (OPEN_TREE_CLONE); close the fd to drop it. */
export function openTreeClone(path: string): number {
  const flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE;
  return Number(check('open_tree', syscall(SYS_open_tree, 'int', AT_FDCWD, 'str', path, 'uint', flags) as number, path));
}

/**
 * ID-maps the detached mount `treeFd` through the user namespace at `usernsPath` (/proc/PID/ns/user),
 * setting the MOUNT_ATTR_* `attributes` too (say, MOUNT_ATTR_RDONLY).
 */
export function idmapMount(treeFd: number, usernsPath: string, path?: string, attributes = 0): void {
  const usernsFd = openSync(usernsPath, 'r');
  try {
    setMountAttributes(treeFd, '', AT_EMPTY_PATH, MOUNT_ATTR_IDMAP | attributes, usernsFd, path);
  } finally {
    closeSync(usernsFd);
  }
}

/** Attaches the detached mount `treeFd` at `target`. */
export function moveMount(treeFd: number, target: string): void {
  const result = syscall(SYS_move_mount, 'int', treeFd, 'str', '', 'int', AT_FDCWD, 'str', target, 'uint', MOVE_MOUNT_F_EMPTY_PATH);
  check('move_mount', result as number, target);
}

/** The messages the kernel logged on a filesystem context ("e overlay: …" lines), oldest first. */
function contextLog(fsFd: number): string[] {
  const lines: string[] = [];
  const buffer = Buffer.alloc(1024);
  for (let i = 0; i < 16; i++) {
    try {
      const length = readSync(fsFd, buffer, 0, buffer.length, null);
      lines.push(buffer.toString('utf8', 0, length).replace(/^[ewi] /, '').trim());
    } catch {
      break; // ENODATA: the log is empty
    }
  }
  return lines;
}

/** SysError whose message ends with the kernel's reason, when it gave one. */
export class MountError extends SysError {
  readonly kernelLog: string[];

  constructor(syscall: string, errno: number, target: string, kernelLog: string[]) {
    super(syscall, errno, target);
    this.name = 'MountError';
    this.kernelLog = kernelLog;
    if (kernelLog.length > 0) this.message += ` (${kernelLog.join('; ')})`;
  }
}

/**
 * Mounts a new `fstype` filesystem at `target`. Options are `[key, value]` pairs, or `[flag]`:
 * `mountFilesystem('overlay', [['userxattr'], ['lowerdir', l], ['upperdir', u], ['workdir', w]], merged)`.
 */
export function mountFilesystem(fstype: string, options: Array<[string, string?]>, target: string): void {
  const fsFd = Number(check('fsopen', syscall(SYS_fsopen, 'str', fstype, 'uint', FSOPEN_CLOEXEC) as number, fstype));
  try {
    const configure = (command: number, key: string | null, value: string | null, what: string) => {
      if ((syscall(SYS_fsconfig, 'int', fsFd, 'uint', command, 'str', key, 'str', value, 'int', 0) as number) === -1) {
        throw new MountError(`fsconfig ${what}`, koffi.errno(), target, contextLog(fsFd));
      }
    };
    for (const [key, value] of options) {
      if (value === undefined) configure(FSCONFIG_SET_FLAG, key, null, key);
      else configure(FSCONFIG_SET_STRING, key, value, key);
    }
    configure(FSCONFIG_CMD_CREATE, null, null, `create ${fstype}`);
    const mountFd = Number(check('fsmount', syscall(SYS_fsmount, 'int', fsFd, 'uint', FSMOUNT_CLOEXEC, 'uint', 0) as number, target));
    try {
      moveMount(mountFd, target);
    } finally {
      closeSync(mountFd);
    }
  } finally {
    closeSync(fsFd);
  }
}
