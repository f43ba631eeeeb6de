// Passing open file descriptors between processes (SCM_RIGHTS over a unix socket), which Node
// cannot do itself: a terminal's master from inside the container to the CLI, detached mounts
// from the parent into the container. Layouts are the LP64 ones (x86_64 and aarch64 alike).
import { check, koffi, libc } from './libc.js';

const AF_UNIX = 1;
const SOCK_SEQPACKET = 5;
const SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1;
const SCM_RIGHTS = 1;
const MSG_CMSG_CLOEXEC = 0x40000000;
const CMSG_HEADER = 16; // cmsg_len (size_t), cmsg_level (int), cmsg_type (int)
/** One message carries at most this many descriptors (the kernel's limit is 253). */
export const MAX_PASSED_FDS = 64;

koffi.struct('rootless_iovec', { base: 'void *', len: 'size_t' });
koffi.struct('rootless_msghdr', {
  name: 'void *',
  namelen: 'uint32_t',
  iov: 'rootless_iovec *',
  iovlen: 'size_t',
  control: 'void *',
  controllen: 'size_t',
  flags: 'int',
});
const socketpairFn = libc.func('int socketpair(int domain, int type, int protocol, _Out_ int *sv)');
const sendmsgFn = libc.func('long sendmsg(int fd, const rootless_msghdr *msg, int flags)');
const recvmsgFn = libc.func('long recvmsg(int fd, _Inout_ rootless_msghdr *msg, int flags)');

/**
 * A connected pair of unix seqpacket sockets, close-on-exec (hand one end to a child through
 * spawn's stdio, which clears the flag on the child's copy). Messages keep their boundaries.
 */
export function createSocketPair(): [number, number] {
  const pair = new Int32Array(2);
  check('socketpair', socketpairFn(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair));
  return [pair[0]!, pair[1]!];
}

function controlSpace(count: number): number {
  return CMSG_HEADER + Math.ceil((count * 4) / 8) * 8;
}

/** Sends `fds` (duplicates arrive; the caller may close its own) with a short text `tag`. */
export function sendFds(socket: number, fds: number[], tag = 'fds'): void {
  if (fds.length === 0 || fds.length > MAX_PASSED_FDS) throw new RangeError(`sendFds: ${fds.length} descriptors`);
  const control = Buffer.alloc(controlSpace(fds.length));
  control.writeBigUInt64LE(BigInt(CMSG_HEADER + fds.length * 4), 0);
  control.writeInt32LE(SOL_SOCKET, 8);
  control.writeInt32LE(SCM_RIGHTS, 12);
  fds.forEach((fd, index) => control.writeInt32LE(fd, CMSG_HEADER + index * 4));
  const data = Buffer.from(tag);
  const message = { name: null, namelen: 0, iov: [{ base: data, len: data.length }], iovlen: 1, control, controllen: control.length, flags: 0 };
  check('sendmsg', sendmsgFn(socket, message, 0));
}

/**
 * Waits for one message and returns its tag and the descriptors it carried (close-on-exec).
 * An empty tag means the other end closed the socket.
 */
export function receiveFds(socket: number): { tag: string; fds: number[] } {
  const data = Buffer.alloc(256);
  const control = Buffer.alloc(controlSpace(MAX_PASSED_FDS));
  const message = { name: null, namelen: 0, iov: [{ base: data, len: data.length }], iovlen: 1, control, controllen: control.length, flags: 0 };
  const length = Number(check('recvmsg', recvmsgFn(socket, message, MSG_CMSG_CLOEXEC)));
  const fds: number[] = [];
  const controlLength = Number(message.controllen);
  for (let offset = 0; offset + CMSG_HEADER <= controlLength; ) {
    const cmsgLength = Number(control.readBigUInt64LE(offset));
    if (cmsgLength < CMSG_HEADER) break;
    if (control.readInt32LE(offset + 8) === SOL_SOCKET && control.readInt32LE(offset + 12) === SCM_RIGHTS) {
      for (let at = offset + CMSG_HEADER; at + 4 <= offset + cmsgLength; at += 4) fds.push(control.readInt32LE(at));
    }
    offset += Math.ceil(cmsgLength / 8) * 8;
  }
  return { tag: data.subarray(0, length).toString(), fds };
}
