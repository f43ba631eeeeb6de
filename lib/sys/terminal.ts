// Terminal ioctls Node has no API for: a pseudo-terminal's master and slave, a controlling
// terminal, the window size. Request numbers are the asm-generic ones (x86_64 and aarch64).
import { closeSync, openSync, constants as fsConstants } from 'node:fs';
import { check, libc } from './libc.js';

const TIOCSCTTY = 0x540e;
const TIOCGWINSZ = 0x5413;
const TIOCSWINSZ = 0x5414;
const TIOCSPTLCK = 0x40045431;
const TIOCGPTPEER = 0x5441;

const ioctlFn = libc.func('int ioctl(int fd, unsigned long request, ...)');
const setsidFn = libc.func('int setsid(void)');
const dup2Fn = libc.func('int dup2(int oldfd, int newfd)');
const tcgetattrFn = libc.func('int tcgetattr(int fd, void *termios)');
const tcsetattrFn = libc.func('int tcsetattr(int fd, int when, const void *termios)');

const TERMIOS_SIZE = 60; // glibc's struct termios: c_iflag, c_oflag, c_cflag, c_lflag, c_line, c_cc[32], speeds
const C_OFLAG = 4;
const OPOST = 1;
const TCSANOW = 0;

export interface WindowSize {
  rows: number;
  columns: number;
}

export interface PseudoTerminal {
  master: number;
  slave: number;
}

/**
 * Opens a new pseudo-terminal of the devpts instance behind `ptmx` (e.g. the container's
 * /dev/pts/ptmx): the master, unlocked, and its slave through TIOCGPTPEER, which cannot open
 * another instance's slave by a path race. Both close-on-exec, neither a controlling terminal.
 */
export function openPseudoTerminal(ptmx: string): PseudoTerminal {
  const master = openSync(ptmx, fsConstants.O_RDWR | fsConstants.O_NOCTTY | 0o2000000);
  try {
    check('ioctl(TIOCSPTLCK)', ioctlFn(master, TIOCSPTLCK, 'int *', [0]) as number, ptmx);
    const slave = check('ioctl(TIOCGPTPEER)', ioctlFn(master, TIOCGPTPEER, 'int', fsConstants.O_RDWR | fsConstants.O_NOCTTY | 0o2000000) as number, ptmx);
    return { master, slave };
  } catch (error) {
    closeSync(master);
    throw error;
  }
}

/** Starts a new session (the caller must not lead a process group) and makes `fd` its controlling terminal. */
export function becomeSessionLeaderOf(fd: number): void {
  check('setsid', setsidFn() as number);
  check('ioctl(TIOCSCTTY)', ioctlFn(fd, TIOCSCTTY, 'int', 0) as number);
}

/** dup2(2): `newFd` becomes a copy of `oldFd`, without close-on-exec. */
export function duplicateTo(oldFd: number, newFd: number): void {
  check('dup2', dup2Fn(oldFd, newFd) as number);
}

/** The window size of the terminal on `fd`; undefined when `fd` is not a terminal. */
export function getWindowSize(fd: number): WindowSize | undefined {
  const size = Buffer.alloc(8); // struct winsize { unsigned short ws_row, ws_col, ws_xpixel, ws_ypixel; }
  if ((ioctlFn(fd, TIOCGWINSZ, 'void *', size) as number) === -1) return undefined;
  return { rows: size.readUInt16LE(0), columns: size.readUInt16LE(2) };
}

export function setWindowSize(fd: number, { rows, columns }: WindowSize): void {
  const size = Buffer.alloc(8);
  size.writeUInt16LE(rows, 0);
  size.writeUInt16LE(columns, 2);
  check('ioctl(TIOCSWINSZ)', ioctlFn(fd, TIOCSWINSZ, 'void *', size) as number);
}

/**
 * Turns off output post-processing (OPOST) of the terminal on `fd`, as cfmakeraw does and Node's
 * raw mode does not: the container's terminal already turned "\n" into "\r\n".
 */
export function disableOutputProcessing(fd: number): void {
  const termios = Buffer.alloc(TERMIOS_SIZE);
  check('tcgetattr', tcgetattrFn(fd, termios) as number);
  termios.writeUInt32LE(termios.readUInt32LE(C_OFLAG) & ~OPOST, C_OFLAG);
  check('tcsetattr', tcsetattrFn(fd, TCSANOW, termios) as number);
}
