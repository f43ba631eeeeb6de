// Network-interface ioctls: only what an empty network namespace needs (loopback up).
import { libc, check } from './libc.js';

const socketFn = libc.func('int socket(int domain, int type, int protocol)');
const ioctlFn = libc.func('int ioctl(int fd, unsigned long request, ...)');
const closeFn = libc.func('int close(int fd)');

const AF_INET = 2;
const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0o2000000;
const SIOCGIFFLAGS = 0x8913;
const SIOCSIFFLAGS = 0x8914;
const IFF_UP = 0x1;
const IFREQ_SIZE = 40; // struct ifreq: char ifr_name[16] + a 24-byte union (short ifr_flags first)

/** Sets IFF_UP on an interface of the calling thread's network namespace. */
export function bringInterfaceUp(name: string): void {
  const fd = check('socket', socketFn(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0) as number);
  try {
    const request = Buffer.alloc(IFREQ_SIZE);
    request.write(name, 0, 15, 'utf8');
    check('ioctl SIOCGIFFLAGS', ioctlFn(fd, SIOCGIFFLAGS, 'void *', request) as number, name);
    request.writeInt16LE(request.readInt16LE(16) | IFF_UP, 16);
    check('ioctl SIOCSIFFLAGS', ioctlFn(fd, SIOCSIFFLAGS, 'void *', request) as number, name);
  } finally {
    closeFn(fd);
  }
}
