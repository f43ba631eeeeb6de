// The container's terminal (`-t`), inner side, as runc's console socket: allocated from the
// container's own devpts after its root is built, so `tty` names /dev/pts/N of the container.
// The slave becomes the controlling terminal and fds 0-2 of the process; the master goes to the
// CLI over TERMINAL_FD (a unix socket, SCM_RIGHTS), which answers once it has attached it.
// Synchronous, tiny imports: stage 2 and the exec stage load it.
import { closeSync, fchownSync, fstatSync } from 'node:fs';
import { sendFds } from '../sys/fd-passing.js';
import { becomeSessionLeaderOf, duplicateTo, openPseudoTerminal } from '../sys/terminal.js';
import { receiveSync, sendSync, TERMINAL_FD } from './channel.js';
import { InitError, step } from './init-error.js';

/** fd of the socket that carries the terminal's master to the CLI (fd 3 is the control channel). */

/**
 * Call as root of the namespaces, inside the container's mount namespace (after pivot_root), in
 * a process that leads no process group. `uid` owns the slave, as runc gives it to the user.
 */
export function attachContainerTerminal(uid: number): void {
  const { master, slave } = step('open a terminal on /dev/pts/ptmx', () => openPseudoTerminal('/dev/pts/ptmx'));
  step('give the terminal to the container user', () => fchownSync(slave, uid, fstatSync(slave).gid));
  step('make the terminal the controlling terminal', () => becomeSessionLeaderOf(slave));
  step('connect stdio to the terminal', () => [0, 1, 2].forEach((fd) => duplicateTo(slave, fd)));
  closeSync(slave);
  step('pass the terminal to the CLI', () => sendFds(TERMINAL_FD, [master], 'terminal'));
  closeSync(master);
  closeSync(TERMINAL_FD);
  // the command must not start before the CLI has set the window size (`stty size` would read 0 0)
  sendSync({ type: 'terminal' });
  if (receiveSync()?.type !== 'terminal-attached') throw new InitError('the CLI did not attach the terminal');
}
