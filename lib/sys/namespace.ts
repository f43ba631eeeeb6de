// Joining an existing namespace from Node. Node has threads, so the kernel refuses setns() into
// a user namespace (a single-threaded helper such as nsenter joins that one first); a mount
// namespace can be joined once the calling thread has its own filesystem context
// (unshare(CLONE_FS)), which is also what moves only this thread: call it on the main thread,
// synchronously, and use no thread-pool fs call afterwards.
import { closeSync, openSync, constants as fsConstants } from 'node:fs';
import { check, libc } from './libc.js';

const CLONE_FS = 0x200;
const CLONE_NEWNS = 0x20000;

const unshareFn = libc.func('int unshare(int flags)');
const setnsFn = libc.func('int setns(int fd, int nstype)');

/** Makes the calling thread's root, working directory and mounts those of the mount namespace at `nsPath` (/proc/PID/ns/mnt). */
export function joinMountNamespace(nsPath: string): void {
  const fd = openSync(nsPath, fsConstants.O_RDONLY | 0o2000000);
  try {
    check('unshare(CLONE_FS)', unshareFn(CLONE_FS) as number);
    check('setns(CLONE_NEWNS)', setnsFn(fd, CLONE_NEWNS) as number, nsPath);
  } finally {
    closeSync(fd);
  }
}
