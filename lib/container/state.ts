// What `run` records about a container in its bundle (runtimeDir()/containers/<id>/): state.json
// (written by the CLI, atomically) and `exit` (written by the container's monitor, the stage-1
// shell, when the container's PID 1 ends: {"exitCode", "finishedAt"}). Read by name checks,
// `rootless port` and the lifecycle commands.
import { readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { processStart } from '../net/helper.js';
import type { PortMapping } from '../net/options.js';
import { runtimeDir } from '../paths.js';

export interface ContainerState {
  id: string;
  name: string;
  image: string;
  created: string;
  /** Stage 1's supervising process, once started: the container's PID 1 is its child; the container runs while it does. */
  pid?: number;
  /** Published ports, host side first known. */
  ports?: PortMapping[];
  /** The command line (process.args of config.json), for `ps`. */
  command?: string[];
  /** Started with `run -d` (or `start`): stage 1 outlives the CLI and is the container's monitor. */
  detached?: boolean;
  /** `-d -i`: stdin stays open (a FIFO in the bundle), also after `start`. */
  keepStdin?: boolean;
  /** `--rm`: removed when it exits (by the monitor, or lazily by the next command). */
  autoRemove?: boolean;
  /** When stage 1 was last started. */
  startedAt?: string;
  /** /proc/PID/stat start time of `pid`: a reused pid is not the container's. */
  pidStart?: string;
  /** Host pid of the container's PID 1 (stage 2, then the command), and its pid namespace (`pid:[N]`). */
  initPid?: number;
  pidNamespace?: string;
  /** The --network value, so `start` connects the same network. */
  network?: string;
  /** A detached container's network helper (pasta, slirp4netns) and its start time and state dir. */
  helperPid?: number;
  helperStart?: string;
  helperStateDir?: string;
  /** The container's cgroup (--memory, --cpus, --pids-limit), removed once it has exited. */
  cgroup?: string;
  /** The image's StopSignal, for `stop`. */
  stopSignal?: string;
}

export interface ExitRecord {
  exitCode: number;
  finishedAt: string;
  /** Set when the monitor was gone without writing this record (a best-known status). */
  lost?: boolean;
}

export function containersDir(): string {
  return path.join(runtimeDir(), 'containers');
}

export function bundleDirOfState(state: Pick<ContainerState, 'id'>): string {
  return path.join(containersDir(), state.id);
}

export function stateFile(bundleDir: string): string {
  return path.join(bundleDir, 'state.json');
}

/** The monitor's record of the last exit, in the bundle. */
export const EXIT_FILE = 'exit';

export function exitFile(bundleDir: string): string {
  return path.join(bundleDir, EXIT_FILE);
}

/** The FIFO a detached container writes its output to; its monitor stamps the lines into the log. */
export const OUTPUT_FIFO = 'output';

export function logFile(bundleDir: string): string {
  return path.join(bundleDir, 'container.log');
}

/** Writes `file` whole or not at all: a temp file in the same directory, then rename(2). */
export function writeFileAtomic(file: string, text: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, file);
}

/** The exit as the CLI knows it (the monitor writes its own with a shell printf: monitor.ts). */
export function writeExitRecord(bundleDir: string, record: ExitRecord): void {
  writeFileAtomic(exitFile(bundleDir), JSON.stringify(record));
}

export function writeContainerState(state: ContainerState): void {
  writeFileAtomic(stateFile(bundleDirOfState(state)), JSON.stringify(state));
}

export function readContainerState(id: string): ContainerState | undefined {
  try {
    return JSON.parse(readFileSync(stateFile(path.join(containersDir(), id)), 'utf8')) as ContainerState;
  } catch {
    return undefined;
  }
}

/** Every container with a readable state; one being created or removed right now is skipped. */
export function readContainerStates(): ContainerState[] {
  let ids: string[];
  try {
    ids = readdirSync(containersDir());
  } catch {
    return [];
  }
  return ids.flatMap((id) => readContainerState(id) ?? []);
}

/** The monitor's record of the last exit; undefined while it runs (or never ran). */
export function readExitRecord(state: Pick<ContainerState, 'id'>): ExitRecord | undefined {
  const file = exitFile(bundleDirOfState(state));
  try {
    const record = JSON.parse(readFileSync(file, 'utf8')) as Partial<ExitRecord>;
    if (typeof record.exitCode !== 'number') return undefined;
    // the shell's `date` may lack %N; the file's time is the exit's time anyway
    const finishedAt = record.finishedAt && !Number.isNaN(Date.parse(record.finishedAt)) ? record.finishedAt : statSync(file).mtime.toISOString();
    return { exitCode: record.exitCode, finishedAt, lost: record.lost };
  } catch {
    return undefined;
  }
}

/** Whether `pid` is still the process that started at `start` (any live `pid` when no start is known). */
export function processAlive(pid: number | undefined, start: string | undefined): boolean {
  if (!pid) return false;
  const now = processStart(pid);
  return now !== undefined && (start === undefined || now === start);
}

export function isRunning(state: ContainerState): boolean {
  return processAlive(state.pid, state.pidStart) && readExitRecord(state) === undefined;
}
