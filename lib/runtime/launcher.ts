// Stage 1: a single-threaded program creates the namespaces (Node cannot: it has threads), then
// execs the inner program. The CLI waits until the new user namespace exists, writes its id maps,
// and tells the inner program to go on over the control channel (fd 3).
//
// Sync points:
//   1. spawn `setpriv --pdeathsig KILL unshare --user --keep-caps … -- sh -c WAIT PROGRAM` (dies
//      with the CLI); the shell waits for a line on fd 3 before it execs PROGRAM
//   2. /proc/PID/ns/user differs from ours → the namespace exists → write uid_map/gid_map
//   3. send {type: 'go'}; the shell execs PROGRAM
// PROGRAM must be exec'd only after the maps exist: an exec by an unmapped uid drops every
// capability in the namespace. Real root is not mapped (container root must not be host root),
// so for root the shell first execs `setpriv` to become the namespace's root, keeping the
// capabilities that `--keep-caps` made ambient. Stage 2 clears the ambient set before exec.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { constants } from 'node:os';
import { RootlessError } from '../errors.js';
import { OuterChannel } from './channel.js';
import { findHelper, writeIdMappings, type UserNamespacePlan } from './idmap.js';
import { mark } from '../timing.js';

export type NamespaceKind = 'user' | 'mount' | 'pid' | 'uts' | 'ipc' | 'cgroup' | 'net';

export interface LaunchRequest {
  namespaces: NamespaceKind[];
  plan: UserNamespacePlan;
  /** The inner program and its arguments; it runs as root of the new user namespace. */
  argv: string[];
  /** Leave the control channel open as fd 3 of the inner program (the Node stages use it). */
  keepChannel?: boolean;
  /**
   * Start the inner program at once, while the id maps are being written (it starts faster). It
   * still has every capability in the namespace (ambient, from --keep-caps), but must touch no
   * file before the caller says the maps exist, and must make itself namespace root (setresuid(0),
   * setresgid(0)): real root is not mapped. Stage 2 does both. No 'go' message is sent.
   */
  startEarly?: boolean;
  /** fds 0-2 of the inner program; fd 3 is always the control channel. */
  stdio: Array<'inherit' | 'ignore' | 'pipe' | number>;
  /** More descriptors for the inner program: child fd (4 and up) → our fd. */
  extraFds?: Record<number, number>;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /**
   * With a PID namespace: shell commands stage 1's shell runs after its child exits, with the
   * child's status in $status (the container's monitor records the exit there).
   */
  monitor?: string;
  /**
   * With a PID namespace: the program runs in the background with its stdout and stderr on the
   * FIFO `fifo` (relative to cwd) while stage 1's shell runs `logger` with the FIFO as stdin, to
   * its end (builtins only: a child of the shell would enter the new pid namespace).
   */
  output?: { fifo: string; logger: string };
  /** Stage 1 outlives the CLI: a session of its own and no parent-death signal (`run -d`). */
  detached?: boolean;
}

/** A started stage 1: launched here, or adopted from bin/rootless (early-stage1.ts). */
export interface Stage1 {
  pid: number;
  channel: OuterChannel;
  /** Resolves with the exit status of the launcher (a signal as 128+N, like a shell). */
  exited: Promise<number>;
  /** SIGKILL: stage 1 and what runs inside die with it (parent-death signals). */
  kill(): void;
  /** Stage 1's shell runs the request's monitor commands when the container exits. */
  monitored: boolean;
  /** Lets this process exit while stage 1 runs on (a detached container). */
  release(): void;
}

export interface Launched extends Stage1 {
  child: ChildProcess;
}

/** How namespaces get created: pluggable so another single-threaded launcher can stand in. */
export interface Launcher {
  command(namespaces: NamespaceKind[], argv: string[], outliveCaller?: boolean): string[];
}

/**
 * The program stage 1 execs: waits for 'go', becomes namespace root if needed, then runs argv
 * (an early start skips both).
 * With a PID namespace argv must be a child (it becomes the namespace's PID 1), so the shell stays
 * as its parent and exits with its status (128+N when a signal killed it, as a shell reports it).
 * The shell traps the terminal's signals with a no-op rather than ignoring them: an ignored
 * signal would be inherited by the container, and the CLI forwards signals to it itself.
 */
function waitingShim(argv: string[], keepChannel: boolean, supervise: boolean, startEarly: boolean, monitor?: string, output?: LaunchRequest['output']): string[] {
  const closeChannel = keepChannel ? '' : ' 3<&-';
  const afterExit = monitor ? `; status=$?; ${monitor}` : '';
  const run = supervise ? `trap : INT TERM HUP QUIT; ${output ? loggedChild(output, closeChannel) : `"$@"${closeChannel}`}${afterExit}` : `exec "$@"${closeChannel}`;
  const script = startEarly ? run : `read -r _ <&3 || exit 125; ${run}`;
  const becomeRoot =
    process.getuid?.() === 0 && !startEarly ? [findHelper('setpriv') ?? 'setpriv', '--reuid=0', '--regid=0', '--clear-groups', '--'] : [];
  return ['/bin/sh', '-c', script, 'rootless-stage1', ...becomeRoot, ...argv];
}

/**
 * `"$@"` as the shell's first child (PID 1) in the background, its output on the FIFO. An
 * asynchronous command gets /dev/null as stdin, so it gets the shell's stdin back from fd 9. Fd 8
 * holds the FIFO open for writing so that neither open waits for the other: the child inherits it
 * and closes it only after opening its own end (redirections go left to right), so the shell's
 * `read` sees end-of-file only once the child and all it started are gone, or at once if the child
 * could not open the FIFO (no hang). The shell then ignores the signals it trapped, as a trapped
 * one would end its `read` early (the child is forked before, and Node resets the INT and QUIT
 * that dash ignores in a background child). `wait` says nothing of a child killed by a signal.
 */
function loggedChild(output: NonNullable<LaunchRequest['output']>, closeChannel: string): string {
  const fifo = output.fifo;
  return (
    `exec 9<&0 8<>${fifo}; "$@" <&9 >${fifo} 2>&1 8<&- 9<&-${closeChannel} & exec <${fifo} 8<&- 9<&-; ` +
    `trap '' INT TERM HUP QUIT; ${output.logger}; wait $! 2>&-`
  );
}

/** util-linux unshare: on every Linux. Its `--fork` is not used: it reports a child killed by SIGKILL as exit 1. */
export const unshareLauncher: Launcher = {
  command(namespaces, argv, outliveCaller) {
    const unshare = findHelper('unshare');
    if (!unshare) {
      throw new RootlessError('the `unshare` command of util-linux was not found', {
        remedy: 'Install it: sudo apt install util-linux',
      });
    }
    const flags = namespaces.map((kind) => `--${kind}`);
    flags.push('--keep-caps');
    const setpriv = findHelper('setpriv');
    const prefix = setpriv && !outliveCaller ? [setpriv, '--pdeathsig', 'KILL'] : [];
    return [...prefix, unshare, ...flags, '--', ...argv];
  },
};

/** A child's exit as a shell reports it: its code, or 128+N for signal N. */
export function exitStatus(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return 128 + (signal ? constants.signals[signal] : 0);
}

export async function waitForUserNamespace(pid: number, exited: Promise<number>): Promise<void> {
  const own = readlinkSync('/proc/self/ns/user');
  let done = false;
  void exited.then(() => (done = true));
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      if (readlinkSync(`/proc/${pid}/ns/user`) !== own) return;
    } catch {
      // the process is gone or not yet readable
    }
    if (done) {
      throw new RootlessError('could not create a user namespace (unshare failed; see the line above)', {
        remedy: 'Run `rootless doctor` to see which host setting is missing',
      });
    }
    if (Date.now() > deadline) throw new RootlessError('timed out waiting for unshare to create the user namespace');
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/**
 * A namespace or id map that could not be made is nearly always host configuration: replace the
 * generic remedy with the one line of `rootless doctor` that names what is missing and the fix.
 */
async function withHostDiagnosis(error: unknown): Promise<unknown> {
  if (!(error instanceof RootlessError)) return error;
  const { firstRunDiagnosis } = await import('../doctor/checks.js');
  const diagnosis = await firstRunDiagnosis();
  return diagnosis ? new RootlessError(error.message, { remedy: diagnosis, exitCode: error.exitCode, cause: error }) : error;
}

export interface StageSpawn {
  stdio: LaunchRequest['stdio'];
  extraFds?: LaunchRequest['extraFds'];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  detached?: boolean;
}

export interface SpawnedStage {
  child: ChildProcess;
  channel: OuterChannel;
  exited: Promise<number>;
}

/** Spawns a program whose fd 3 is the control channel (and `extraFds` its fds 4 and up). */
export function spawnStage(argv: string[], request: StageSpawn): SpawnedStage {
  const [file, ...args] = argv;
  const stdio: Array<'inherit' | 'ignore' | 'pipe' | number> = [...request.stdio.slice(0, 3), 'pipe'];
  for (const [childFd, fd] of Object.entries(request.extraFds ?? {})) stdio[Number(childFd)] = fd;
  const child = spawn(file!, args, {
    stdio: Array.from(stdio, (entry) => entry ?? 'ignore') as StdioOptions,
    env: request.env ?? process.env,
    cwd: request.cwd,
    detached: request.detached,
  });
  const exited = new Promise<number>((resolve, reject) => {
    child.once('error', (error) => reject(new RootlessError(`cannot start ${file}: ${error.message}`, { cause: error })));
    child.once('exit', (code, signal) => resolve(exitStatus(code, signal)));
  });
  exited.catch(() => undefined);
  const socket = child.stdio[3] as unknown as import('node:net').Socket;
  return { child, channel: new OuterChannel(socket, socket), exited };
}

/** Starts `argv` inside new namespaces with the planned id maps written, and lets it go. */
export async function launchInNamespaces(request: LaunchRequest, launcher: Launcher = unshareLauncher): Promise<Launched> {
  const startEarly = request.startEarly ?? false;
  const shim = waitingShim(request.argv, request.keepChannel ?? false, request.namespaces.includes('pid'), startEarly, request.monitor, request.output);
  mark('spawn stage 1');
  const { child, channel, exited } = spawnStage(launcher.command(request.namespaces, shim, request.detached), request);
  try {
    await waitForUserNamespace(child.pid!, exited);
    mark('user namespace seen');
    await writeIdMappings(child.pid!, request.plan);
  } catch (error) {
    child.kill('SIGKILL');
    await exited.catch(() => undefined);
    throw await withHostDiagnosis(error);
  }
  if (!startEarly) channel.send({ type: 'go' });
  const release = () => {
    child.unref();
    for (const stream of child.stdio) (stream as import('node:net').Socket | null)?.destroy();
  };
  return { child, channel, exited, pid: child.pid!, kill: () => child.kill('SIGKILL'), monitored: request.monitor !== undefined, release };
}
