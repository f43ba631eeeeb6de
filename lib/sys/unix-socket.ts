// A listening unix socket for a synchronous program (stage 2 started before the CLI's own Node,
// see bin/rootless): Node's net server needs the event loop, which stage 2 does not run.
import { check, libc } from './libc.js';

const AF_UNIX = 1;
const SOCK_STREAM = 1;
const SOCK_CLOEXEC = 0o2000000;
const SUN_PATH_MAX = 107; // sizeof(sun_path) - 1 for the terminating NUL

const socketFn = libc.func('int socket(int domain, int type, int protocol)');
const bindFn = libc.func('int bind(int fd, const void *addr, uint32_t len)');
const listenFn = libc.func('int listen(int fd, int backlog)');
const acceptFn = libc.func('int accept4(int fd, void *addr, void *len, int flags)');
const dup3Fn = libc.func('int dup3(int oldfd, int newfd, int flags)');
const closeFn = libc.func('int close(int fd)');

/** Creates, binds and listens on a unix stream socket at `path` (which must not exist). */
export function listenUnix(path: string): number {
  if (Buffer.byteLength(path) > SUN_PATH_MAX) throw new RangeError(`socket path too long: ${path}`);
  const fd = check('socket', socketFn(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0) as number);
  const address = Buffer.alloc(110); // struct sockaddr_un: sa_family_t, then sun_path[108]
  address.writeUInt16LE(AF_UNIX, 0);
  address.write(path, 2);
  try {
    check('bind', bindFn(fd, address, 2 + Buffer.byteLength(path) + 1) as number, path);
    check('listen', listenFn(fd, 1) as number, path);
  } catch (error) {
    closeFn(fd);
    throw error;
  }
  return fd;
}

/** Blocks until a peer connects; returns the connection (close-on-exec). */
export function acceptUnix(listener: number): number {
  return check('accept4', acceptFn(listener, null, null, SOCK_CLOEXEC) as number);
}

/** Puts `fd` at `target` (closing what was there) without close-on-exec, and closes `fd`. */
export function moveFd(fd: number, target: number): void {
  if (fd === target) return;
  check('dup3', dup3Fn(fd, target, 0) as number);
  closeFn(fd);
}

export function closeFd(fd: number): void {
  closeFn(fd);
}
