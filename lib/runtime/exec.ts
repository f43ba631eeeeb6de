// `rootless exec`: a command in a running container. util-linux nsenter (single-threaded: Node
// cannot join a user namespace) joins the namespaces of the container's PID 1 that differ from
// ours, except the mount namespace, and forks into its PID namespace; there the exec stage
// (exec-stage.ts) joins the mount namespace, confines itself from the container's config.json as
// stage 2 does, and execs the command. The CLI follows it as `run` follows stage 2: signals
// forwarded, -t attached, the command's exit status returned. If the CLI dies, setpriv's
// parent-death signal ends nsenter, and the exec stage's ends the command.
import { closeSync, readFileSync, readlinkSync } from 'node:fs';
import { findContainer } from '../container/lookup.js';
import { isRunning, type ContainerState } from '../container/state.js';
import { RootlessError } from '../errors.js';
import { installedFile } from '../paths.js';
import type { ExecOptions } from '../spec/exec-options.js';
import type { ExecRequest } from '../spec/exec-process.js';
import { parseEnvFile, resolveEnvEntry } from '../spec/flag-values.js';
import { bundleDirOf } from './container-paths.js';
import { TERMINAL_FD } from './channel.js';
import { findHelper } from './idmap.js';
import { forwardSignals, initFailure, openTerminalSocket, superviseInit } from './init-session.js';
import { spawnStage } from './launcher.js';
import { readEnvFile } from './prepare.js';

// one file (scripts/bundle.mjs), as stage 2
const EXEC_STAGE_JS = installedFile('runtime/exec-stage.bundle.js');

/** nsenter's flag for each namespace it may join, by its name under /proc/PID/ns (not mnt: the exec stage joins that). */
const JOINED_NAMESPACES: ReadonlyArray<[string, string]> = [
  ['user', '--user'], ['pid', '--pid'], ['uts', '--uts'], ['ipc', '--ipc'], ['net', '--net'], ['cgroup', '--cgroup'],
];

function notRunning(state: ContainerState): RootlessError {
  return new RootlessError(`container ${state.name} is not running`, { remedy: 'Start it again, or give the name of a running container' });
}

/** The host pid of the container's PID 1: the only child of the stage-1 shell, once it exec'd the command. */
export function containerInitPid(state: ContainerState): number {
  if (!state.pid || !isRunning(state)) throw notRunning(state);
  let children: string;
  try {
    children = readFileSync(`/proc/${state.pid}/task/${state.pid}/children`, 'utf8');
  } catch {
    throw notRunning(state);
  }
  const init = Number(children.trim().split(/\s+/)[0]);
  if (!init) throw notRunning(state);
  if (readFileSync(`/proc/${init}/cmdline`, 'utf8').startsWith('rootless-init')) {
    throw new RootlessError(`container ${state.name} is still starting`, { remedy: 'Try again in a moment' });
  }
  return init;
}

/** nsenter's flags for the namespaces of `pid` that are not this process's own. */
export function namespaceFlags(pid: number): string[] {
  return JOINED_NAMESPACES.filter(([name]) => {
    try {
      return readlinkSync(`/proc/${pid}/ns/${name}`) !== readlinkSync(`/proc/self/ns/${name}`);
    } catch (error) {
      throw new RootlessError(`cannot read the namespaces of the container's process ${pid}: ${(error as Error).message}`, {
        remedy: 'Run exec as the user who started the container',
      });
    }
  }).map(([, flag]) => flag);
}

function execRequest(options: ExecOptions): ExecRequest {
  const fromFiles = options.envFile.map(readEnvFile).flatMap(({ file, text }) => parseEnvFile(text, process.env, file));
  const fromFlags = options.env.map((entry) => resolveEnvEntry(entry, process.env)).filter((entry): entry is string => entry !== undefined);
  return { args: options.command, env: [...fromFiles, ...fromFlags], user: options.user, workdir: options.workdir, tty: options.tty, privileged: options.privileged };
}

function nsenterCommand(init: number, bundleDir: string): string[] {
  const nsenter = findHelper('nsenter');
  if (!nsenter) throw new RootlessError('the `nsenter` command of util-linux was not found', { remedy: 'Install it: sudo apt install util-linux' });
  const setpriv = findHelper('setpriv');
  const prefix = setpriv ? [setpriv, '--pdeathsig', 'KILL'] : [];
  // a user's uid is root in the container's user namespace already; real root is not mapped there,
  // so nsenter makes it the namespace's root (setgroups, setgid, setuid) before the exec stage starts
  const credentials = process.getuid?.() === 0 ? [] : ['--preserve-credentials'];
  return [...prefix, nsenter, '--target', String(init), ...namespaceFlags(init), ...credentials, '--', process.execPath, EXEC_STAGE_JS, bundleDir, String(init)];
}

export async function execInContainer(options: ExecOptions): Promise<number> {
  const state = findContainer(options.container);
  const init = containerInitPid(state);
  const request = execRequest(options);
  const command = nsenterCommand(init, bundleDirOf(state.id));
  const signals = forwardSignals();
  const terminal = options.tty ? await openTerminalSocket(options.interactive) : undefined;
  try {
    const stage = spawnStage(command, {
      stdio: [options.interactive && !terminal ? 'inherit' : 'ignore', 'inherit', 'inherit'],
      extraFds: terminal ? { [TERMINAL_FD]: terminal.childEnd } : {},
      // the exec stage is Node: the user's NODE_OPTIONS and friends must not reach it
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    });
    if (terminal) closeSync(terminal.childEnd);
    stage.channel.send({ type: 'request', request });
    const [status, failure] = await superviseInit(stage.exited, stage.channel, signals, terminal);
    if (failure) throw initFailure(failure);
    return status;
  } finally {
    signals.stop();
  }
}
