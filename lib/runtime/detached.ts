// Containers in the background (`run -d`, `start`): stage 1 gets a session of its own and no
// parent-death signal, the container's stdout and stderr go to a FIFO whose lines stage 1's shell
// writes to container.log in the bundle with a time stamp, and its shell stays as the container's
// monitor (lib/container/monitor.ts) after the CLI has exited. The CLI waits only until stage 2 has exec'd the command (or failed), records the
// container's PID 1 and its network helper in state.json, and leaves.
import { closeSync, mkdirSync, openSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { NETWORK_PID_FILE, monitorScript, stampLinesScript } from '../container/monitor.js';
import { OUTPUT_FIFO, logFile, readContainerState, writeContainerState } from '../container/state.js';
import type { RunningNetwork } from '../net/driver.js';
import { processStart } from '../net/helper.js';
import type { InitErrorMessage } from './init-error.js';
import { bundleDirOf, makeParents } from './container-paths.js';
import type { Stage1 } from './launcher.js';

export interface Stage1Mode {
  /** fds 0-2 of stage 1 for a detached container (the log); undefined: the caller's. */
  stdio?: Array<'ignore' | number>;
  monitor: string;
  /** A detached container's output: the FIFO in the bundle that the monitor logs (launcher.ts). */
  output?: { fifo: string; logger: string };
  detached: boolean;
  /** Stage 1's working directory: the bundle, where the monitor writes (see monitor.ts). */
  cwd: string;
  /** Closes the CLI's copy of the log; removes the bundle directory if the container did not start. */
  close(started: boolean): void;
}

/**
 * The bundle directory exists before stage 1 starts: it is stage 1's working directory, and a
 * detached container's log is in it. createContainer() takes it over (for real root it chowns it
 * to the container's root, which must be able to search it before that).
 */
function createBundleDir(bundleDir: string): void {
  makeParents([bundleDir]);
  mkdirSync(bundleDir, { recursive: true, mode: process.getuid?.() === 0 ? 0o711 : 0o700 });
}

/**
 * `-d -i`: stdin is a FIFO in the bundle that the container holds open for reading and writing,
 * so its reads wait (as docker's kept-open stdin) instead of seeing end-of-file.
 */
async function openStdinFifo(bundleDir: string): Promise<number> {
  const fifo = path.join(bundleDir, 'stdin');
  await makeFifo(fifo);
  return openSync(fifo, 'r+');
}

/** A new FIFO at `fifo` (one left by an earlier start is replaced). */
async function makeFifo(fifo: string): Promise<void> {
  const { mknod, S_IFIFO } = await import('../sys/fs.js'); // koffi: only for -d
  rmSync(fifo, { force: true });
  mknod(fifo, S_IFIFO | 0o600);
}

/** How stage 1 runs a container: its monitor's commands, and for `-d` the log of its output. */
export async function stage1Mode(id: string, options: { detach: boolean; interactive: boolean }): Promise<Stage1Mode> {
  const bundleDir = bundleDirOf(id);
  createBundleDir(bundleDir);
  const monitor = monitorScript({ detached: options.detach });
  const removeUnstarted = (started: boolean) => {
    if (!started) rmSync(bundleDir, { recursive: true, force: true });
  };
  if (!options.detach) return { monitor, detached: false, cwd: bundleDir, close: removeUnstarted };
  await makeFifo(path.join(bundleDir, OUTPUT_FIFO));
  const log = openSync(logFile(bundleDir), 'a', 0o600);
  const stdin = options.interactive ? await openStdinFifo(bundleDir) : 'ignore';
  const close = (started: boolean) => {
    closeSync(log);
    if (typeof stdin === 'number') closeSync(stdin);
    removeUnstarted(started);
  };
  const output = { fifo: OUTPUT_FIFO, logger: stampLinesScript() };
  return { stdio: [stdin, log, log], monitor, output, detached: true, cwd: bundleDir, close };
}

/** Tells the monitor which helper to end, and records it for the next command's clean-up. */
function recordNetwork(id: string, network: RunningNetwork | undefined): void {
  if (!network?.helperPid) return;
  writeFileSync(path.join(bundleDirOf(id), NETWORK_PID_FILE), `${network.helperPid} ${network.helperStateDir ?? ''}\n`);
  const state = readContainerState(id);
  if (!state) return;
  writeContainerState({ ...state, helperPid: network.helperPid, helperStart: processStart(network.helperPid), helperStateDir: network.helperStateDir });
}

/**
 * After `start` was sent: waits until stage 2 exec'd the command or failed. On success records
 * the container's PID 1 and lets the CLI exit (stage 1 keeps running); returns stage 2's error
 * otherwise, once stage 1 has ended.
 */
export async function followDetached(launched: Stage1, id: string, network: RunningNetwork | undefined): Promise<InitErrorMessage | undefined> {
  recordNetwork(id, network);
  let initPid: number | undefined;
  let failure: InitErrorMessage | undefined;
  let executed = false;
  while (!executed && !failure) {
    const message = await launched.channel.receive();
    if (!message) break;
    if (message.type === 'pid') initPid = Number(message.pid);
    else if (message.type === 'exec') executed = true;
    else if (message.type === 'error') failure = message as InitErrorMessage;
  }
  if (!executed) {
    await launched.exited;
    return failure ?? { type: 'error', message: 'the container ended before its command started', exitCode: 125 };
  }
  const state = readContainerState(id);
  if (state && initPid) {
    let pidNamespace: string | undefined;
    try {
      pidNamespace = readlinkSync(`/proc/${initPid}/ns/pid`);
    } catch {
      // already exited: nothing left to find by namespace
    }
    writeContainerState({ ...state, initPid, pidNamespace });
  }
  launched.channel.close();
  launched.release();
  return undefined;
}
