// A stage 1 that bin/rootless started before this Node: for `rootless run` the script first
// starts `setpriv --pdeathsig KILL unshare --user --mount --pid --uts --ipc --cgroup --net -- sh
// -c SHIM node stage2.bundle.js --listen SOCKET` in the background, then execs Node for the CLI,
// so the CLI's Node and stage 2's Node boot on two cores at once (each takes ~60-80 ms here).
// It says so in ROOTLESS_EARLY_STAGE1="PID SOCKET". The CLI adopts it: connects to SOCKET (in the
// user's XDG_RUNTIME_DIR, named after the CLI's pid), writes its id maps, and watches it with
// its /proc stat on SIGCHLD, as Node did not spawn it; its shell runs no monitor (the CLI records the
// exit). A run that is detached, wants other namespaces, another launcher or more fds (root's
// ID-mapped layers) dismisses it and launches its own; so does a failed adoption, whose error the
// normal launch then reports with its diagnosis.
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import path from 'node:path';
import { RootlessError } from '../errors.js';
import { mark } from '../timing.js';
import { OuterChannel } from './channel.js';
import { writeIdMappings, type UserNamespacePlan } from './idmap.js';
import { launchInNamespaces, waitForUserNamespace, type LaunchRequest, type Launcher, type NamespaceKind, type Stage1 } from './launcher.js';
import { pidAlive } from '../pid-alive.js';

/** What bin/rootless unshares (keep in step with it). */
const EARLY_NAMESPACES: readonly NamespaceKind[] = ['user', 'mount', 'pid', 'uts', 'ipc', 'cgroup', 'net'];
const SOCKET_NAME = /^rootless-launch-(\d+)\.sock$/;
const CONNECT_TIMEOUT_MS = 10_000;

interface EarlyStage1 {
  pid: number;
  socketPath: string;
}

/** Reads (and removes, so no child inherits it) what bin/rootless says it started. */
function takeEarlyStage1(): EarlyStage1 | undefined {
  const value = process.env.ROOTLESS_EARLY_STAGE1;
  delete process.env.ROOTLESS_EARLY_STAGE1;
  const match = value?.match(/^(\d+) (\/.+)$/);
  if (!match || path.basename(match[2]!) !== `rootless-launch-${process.pid}.sock`) return undefined;
  return { pid: Number(match[1]), socketPath: match[2]! };
}

/** Removes launch sockets of CLIs that are gone (a CLI killed before it connected leaves one). */
function sweepSockets(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const owner = name.match(SOCKET_NAME)?.[1];
    if (owner && (Number(owner) === process.pid || !pidAlive(Number(owner)))) rmSync(path.join(dir, name), { force: true });
  }
}

/**
 * The exit status of our child `pid` once it has ended, as a shell reports it (128+N for signal
 * N), from /proc/PID/stat of the zombie (field 52, exit_code); undefined while it runs. Node does
 * not know this child, and koffi's waitpid would cost the CLI ~20 ms of loading; the zombie goes
 * when the CLI exits.
 */
function endedStatus(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return 128 + 9; // gone without a trace: as if killed
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields[0] is field 3, the state
  if (fields[0] !== 'Z' && fields[0] !== 'X') return undefined;
  const raw = Number(fields[52 - 3]);
  const signal = raw & 0x7f;
  return signal === 0 ? (raw >> 8) & 0xff : 128 + signal;
}

/** Resolves with the exit status of our child `pid`, looked at when SIGCHLD comes. */
function watchExit(pid: number): Promise<number> {
  return new Promise((resolve) => {
    const keepAlive = setInterval(() => undefined, 2 ** 30); // a signal listener alone keeps no loop alive
    const check = () => {
      const status = endedStatus(pid);
      if (status === undefined) return;
      process.off('SIGCHLD', check);
      clearInterval(keepAlive);
      resolve(status);
    };
    process.on('SIGCHLD', check);
    check();
  });
}

function connectOnce(socketPath: string): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    socket.once('connect', () => resolve(socket));
    socket.once('error', () => {
      socket.destroy();
      resolve(undefined);
    });
  });
}

/** Connects once stage 2 listens (it boots meanwhile); fails if stage 1 ends first. */
async function connectChannel(early: EarlyStage1, ended: () => boolean): Promise<Socket> {
  const deadline = Date.now() + CONNECT_TIMEOUT_MS;
  for (;;) {
    const socket = await connectOnce(early.socketPath);
    if (socket) return socket;
    if (ended()) throw new RootlessError('the early stage 1 ended before stage 2 listened');
    if (Date.now() > deadline) throw new RootlessError('timed out waiting for the early stage 2 to listen');
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

async function adopt(early: EarlyStage1, plan: UserNamespacePlan): Promise<Stage1> {
  const exited = watchExit(early.pid);
  let ended = false;
  void exited.then(() => (ended = true));
  const kill = () => {
    if (!ended) process.kill(early.pid, 'SIGKILL');
  };
  try {
    // unshare ran long ago: the maps are written while stage 2 is still booting
    const [socket] = await Promise.all([connectChannel(early, () => ended), waitForUserNamespace(early.pid, exited).then(() => writeIdMappings(early.pid, plan))]);
    mark('early stage 1 adopted');
    return { pid: early.pid, channel: new OuterChannel(socket, socket), exited, kill, monitored: false, release: () => undefined };
  } catch (error) {
    kill();
    await exited;
    throw error;
  }
}

/** The stage 1 for `request`: bin/rootless's if it fits, else a new one (launchInNamespaces). */
export async function startStage1(request: LaunchRequest, launcher?: Launcher): Promise<Stage1> {
  const early = takeEarlyStage1();
  if (!early) return launchInNamespaces(request, launcher);
  const fits =
    launcher === undefined &&
    request.startEarly === true &&
    request.keepChannel === true &&
    request.detached !== true &&
    Object.keys(request.extraFds ?? {}).length === 0 &&
    request.namespaces.length === EARLY_NAMESPACES.length &&
    EARLY_NAMESPACES.every((kind) => request.namespaces.includes(kind));
  if (fits) {
    try {
      return await adopt(early, request.plan);
    } catch {
      // not adopted: the launch below reports what is wrong with the host, if anything
    }
  } else {
    void dismiss(early);
  }
  sweepSockets(path.dirname(early.socketPath));
  return launchInNamespaces(request, launcher);
}

/**
 * Ends an early stage 1 that does not fit, meanwhile the run launches its own: connecting and
 * closing lets stage 2 remove its socket and exit (a kill could land while it creates the socket).
 */
async function dismiss(early: EarlyStage1): Promise<void> {
  const exited = watchExit(early.pid);
  let ended = false;
  void exited.then(() => (ended = true));
  try {
    (await connectChannel(early, () => ended)).destroy();
  } catch {
    if (!ended) process.kill(early.pid, 'SIGKILL');
  }
  await exited;
}
