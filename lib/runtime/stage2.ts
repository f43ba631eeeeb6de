// Stage 2, the container's init until it execs the command: runs as root of the new namespaces
// (started by launchInNamespaces), synchronously on Node's main thread. Imports stay tiny (no
// yargs/execa/fs-extra): this process is on the critical path of every start, and every module
// must be loaded before pivot_root (a lazy import afterwards would look inside the container).
// Usage: node stage2.js                   fd 3 is the control channel, opened by the CLI (fd 4 with
//                                         -t: the terminal socket)
//        node stage2.js --listen SOCKET   started by bin/rootless before the CLI's Node: the CLI
//                                         connects to SOCKET (lib/runtime/early-stage1.ts)
import { openSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { constants } from 'node:os';
import { CHANNEL_FD, receiveSync, sendSync } from './channel.js';
import { confine, restrictPaths, setRlimits } from './confine.js';
import { execProcess, prepareProcess, setIdentity } from './container-process.js';
import { attachContainerTerminal } from './container-terminal.js';
import { receiveIdmappedMounts } from './idmapped-mounts.js';
import { runStage } from './init-error.js';
import { buildRoot } from './rootfs.js';
import { loadSpec } from './stage-start.js';
import { setParentDeathSignal } from '../sys/prctl.js';
import { acceptUnix, closeFd, listenUnix, moveFd } from '../sys/unix-socket.js';
import { mark } from '../timing.js';

process.title = 'rootless-init';
mark('node started', performance.timeOrigin);
mark('modules loaded');

/**
 * With --listen: waits for the CLI to connect and makes the connection fd 3 (bin/rootless opened
 * /dev/null there, so Node put nothing of its own at 3). Only the user can connect: the socket is
 * in their XDG_RUNTIME_DIR, mode 0700. (The peer's pid cannot be checked: it is outside this
 * process's PID namespace.)
 */
function acceptChannel(socketPath: string): void {
  const listener = listenUnix(socketPath);
  moveFd(acceptUnix(listener), CHANNEL_FD);
  closeFd(listener);
  rmSync(socketPath, { force: true }); // the CLI may have swept it already
}

/** The parent's pid as the host sees it (getppid says 0: the parent is outside our PID namespace). */
function hostParentPid(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

async function run(argv: string[]): Promise<never> {
  // the parent is stage 1's shell, which dies with the CLI: so does this process and its namespace
  // (first of all: one started early must not wait on its socket for a CLI that is gone)
  const parent = hostParentPid();
  setParentDeathSignal(constants.signals.SIGKILL);
  if (hostParentPid() !== parent) process.exit(125); // it died before the signal was set
  if (argv[0] === '--listen') acceptChannel(argv[1]!);
  // /proc is still the host's: /proc/self names this process as the CLI sees it (signals go there)
  sendSync({ type: 'pid', pid: Number(readlinkSync('/proc/self')) });
  // the CLI writes the bundle while this process starts; `start` says it is complete and where
  const start = receiveSync();
  if (start?.type !== 'start') process.exit(125);
  mark('start received');
  const bundle = String(start.bundle);
  // a container that is not interactive reads nothing (the CLI's stdin may be a terminal)
  if (start.stdin === 'null') moveFd(openSync('/dev/null', 'r'), 0);
  // started before the id maps existed (an early start): now they do
  const { spec, setgroupsAllowed, confinement } = await loadSpec(bundle);
  receiveIdmappedMounts(spec);
  buildRoot(spec);
  mark('root built');
  prepareProcess(spec);
  restrictPaths(spec);
  setRlimits(spec);
  if (spec.process.terminal) attachContainerTerminal(spec.process.user.uid);
  confine(spec, confinement, () => setIdentity(spec, setgroupsAllowed));
  mark('exec');
  return execProcess(spec);
}

await runStage(() => run(process.argv.slice(2)), 'container init failed');
