// A network helper (pasta, slirp4netns) as a child of the CLI that can never hang it: readiness is
// awaited with a timeout and fails early, with the helper's own first line, if it exits; stop()
// escalates to SIGKILL; the helper dies with the CLI (`setpriv --pdeathsig KILL`) and is stopped
// when the container's namespace holder goes away (neither helper notices that by itself).
// child_process rather than execa: we need raw extra fds (ready/exit pipes) and unref(), and a
// long-lived helper gains nothing from execa's promise of a result.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import path from 'node:path';
import { RootlessError } from '../errors.js';
import { runtimeDir } from '../paths.js';
import { findHelper } from '../runtime/idmap.js';

const STOP_GRACE_MS = 2000;
const WATCH_INTERVAL_MS = 200;
const STDERR_LIMIT = 8192;
/** A state directory without helper.pid this old belongs to a CLI that died while starting. */
const UNCLAIMED_STATE_MS = 60_000;
const HELPER_PID_FILE = 'helper.pid';
const STDERR_FILE = 'stderr';
/** A detached helper's target: `PID STARTTIME` of the container's stage 1. */
const TARGET_FILE = 'target';

function readStderrFile(stateDir: string): string {
  try {
    return readFileSync(path.join(stateDir, STDERR_FILE), 'utf8').slice(0, STDERR_LIMIT);
  } catch {
    return '';
  }
}

/** Lines a helper prints that say nothing about a failure (this pasta build cannot reach syslog). */
const NOISE = /^(Failed to send \d+ bytes to syslog|Don't run as root\. Changing to nobody\.\.\.)$/;

/** Fields of /proc/PID/stat after the command name: state, then starttime at index 19; undefined for a gone pid or a zombie. */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' || fields[0] === 'X' ? undefined : fields[19];
  } catch {
    return undefined;
  }
}

/** The helpers connect a namespace of the container's: never the host's own. */
export function requireOwnNetworkNamespace(pid: number): void {
  let target: string;
  try {
    target = readlinkSync(`/proc/${pid}/ns/net`);
  } catch (error) {
    throw new RootlessError(`cannot find the network namespace of process ${pid}: ${(error as Error).message}`, { cause: error });
  }
  if (target === readlinkSync('/proc/self/ns/net')) {
    throw new RootlessError(`process ${pid} is in the host's network namespace, not a container's`, {
      remedy: 'Start the container with a network namespace of its own (unshare --net) before its network',
    });
  }
}

function stateRoot(): string {
  return path.join(runtimeDir(), 'network');
}

/** Whether a state directory's helper is gone (its CLI was killed before it could clean up). */
function abandoned(dir: string): boolean {
  try {
    return processStart(Number(readFileSync(path.join(dir, HELPER_PID_FILE), 'utf8'))) === undefined;
  } catch {
    try {
      return Date.now() - statSync(dir).mtimeMs > UNCLAIMED_STATE_MS;
    } catch {
      return false; // another CLI removed it meanwhile
    }
  }
}

/**
 * A detached helper (run -d) whose target, the container's stage 1, is gone: its monitor could not
 * end it (killed, or the CLI was killed while the helper started). Ended here, if `dir` is still in
 * its command line (the pid was not reused).
 */
function endOrphan(dir: string): void {
  try {
    const [pid, start] = readFileSync(path.join(dir, TARGET_FILE), 'utf8').trim().split(' ');
    if (processStart(Number(pid)) === start) return;
    const helper = Number(readFileSync(path.join(dir, HELPER_PID_FILE), 'utf8'));
    if (readFileSync(`/proc/${helper}/cmdline`, 'utf8').includes(dir)) process.kill(helper, 'SIGKILL');
  } catch {
    // not detached, not started yet, or already gone
  }
}

/** Ends orphaned detached helpers and removes the state directories of helpers that are gone. */
export function sweepStateDirs(): void {
  const root = stateRoot();
  let entries: string[];
  try {
    entries = readdirSync(root);
  } catch {
    return;
  }
  for (const entry of entries) {
    const dir = path.join(root, entry);
    endOrphan(dir);
    if (abandoned(dir)) rmSync(dir, { recursive: true, force: true });
  }
}

/** A private directory for a helper's sockets and files, under runtimeDir()/network; sweeps abandoned ones. */
export function createStateDir(name: string): string {
  const root = stateRoot();
  try {
    // runtimeDir() itself may not exist yet: for real root the container's root (a subordinate id)
    // must be able to search it to reach its bundle, as bundle.ts makes it
    mkdirSync(path.dirname(root), { recursive: true, mode: process.getuid?.() === 0 ? 0o711 : 0o700 });
    mkdirSync(root, { recursive: true, mode: 0o700 });
    sweepStateDirs();
    return mkdtempSync(path.join(root, `${name}-`));
  } catch (error) {
    throw new RootlessError(`cannot create a state directory in ${root}: ${(error as Error).message}`, {
      remedy: 'Point XDG_RUNTIME_DIR (or ROOTLESS_RUNTIME_DIR) at a directory this user owns',
      cause: error,
    });
  }
}

export interface HelperSpawn {
  name: string;
  argv: string[];
  /** From createStateDir(); removed when the helper has stopped. */
  stateDir: string;
  /** Pipes handed to the helper as fds 3, 4, … (e.g. slirp4netns's --ready-fd and --exit-fd). */
  extraFds?: number;
  /**
   * The helper outlives the CLI (`run -d`): its own session, no parent-death signal, stderr in
   * the state directory; the container's monitor ends it.
   */
  detached?: boolean;
}

export class HelperProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  private stderrText = '';
  private exitedWith: string | undefined;
  private readonly exited: Promise<void>;
  private stopping: Promise<void> | undefined;
  private watchTimer: NodeJS.Timeout | undefined;

  constructor(private readonly spec: HelperSpawn) {
    const setpriv = spec.detached ? undefined : findHelper('setpriv');
    const [file, ...args] = setpriv ? [setpriv, '--pdeathsig', 'KILL', ...spec.argv] : spec.argv;
    const extra = Array.from({ length: spec.extraFds ?? 0 }, () => 'pipe' as const);
    // a detached helper must not write into a pipe nobody reads once the CLI is gone
    const stderr = spec.detached ? openSync(path.join(spec.stateDir, STDERR_FILE), 'w') : 'pipe';
    this.child = spawn(file!, args, { stdio: ['ignore', 'ignore', stderr, ...extra] as StdioOptions, detached: spec.detached });
    if (typeof stderr === 'number') closeSync(stderr);
    this.exited = new Promise((resolve) => {
      this.child.once('error', (error) => {
        this.exitedWith = `could not be started (${error.message})`;
        resolve();
      });
      this.child.once('exit', (code, signal) => {
        this.exitedWith = signal ? `was killed by ${signal}` : `exited with status ${code}`;
        resolve();
      });
    });
    this.pid = this.child.pid ?? -1;
    writeFileSync(path.join(spec.stateDir, HELPER_PID_FILE), String(this.pid));
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (chunk: string) => {
      if (this.stderrText.length < STDERR_LIMIT) this.stderrText += chunk;
    });
  }

  /** Extra fd number `fd` (3, 4, …) on our side. */
  fd(fd: number): Socket {
    return this.child.stdio[fd] as Socket;
  }

  /** The first line the helper printed that says something. */
  firstMessage(): string {
    if (this.spec.detached) this.stderrText = readStderrFile(this.spec.stateDir);
    const lines = this.stderrText.split('\n').map((line) => line.trim());
    return lines.find((line) => line && !NOISE.test(line)) ?? '';
  }

  private failure(what: string): RootlessError {
    const said = this.firstMessage();
    return new RootlessError(`${this.spec.name} ${what}${said ? `: ${said}` : ''}`, {
      remedy: `See \`man ${this.spec.name}\`; ROOTLESS_DEBUG=1 shows its command line and whole output`,
      cause: { command: this.spec.argv.join(' '), stderr: this.stderrText },
    });
  }

  /**
   * Waits for `ready`; throws with the helper's first message if it exits first or stays silent
   * for `timeoutMs`. `ready` may give up once `done()` turns true.
   */
  async waitReady(ready: (done: () => boolean) => Promise<void>, timeoutMs: number): Promise<void> {
    let finished = false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    try {
      const outcome = await Promise.race([
        ready(() => finished).then(() => 'ready' as const),
        this.exited.then(() => 'exited' as const),
        timeout,
      ]);
      if (outcome === 'exited') throw this.failure(`${this.exitedWith} before the network was up`);
      if (outcome === 'timeout') throw this.failure(`did not bring the network up within ${timeoutMs / 1000} s`);
    } finally {
      finished = true;
      clearTimeout(timer);
    }
  }

  /** After readiness: the helper no longer keeps the CLI's event loop alive, and stops when `targetPid` ends. */
  detach(targetPid: number): void {
    this.child.unref();
    for (const stream of this.child.stdio) (stream as Socket | null)?.unref?.();
    const start = processStart(targetPid);
    if (start === undefined) {
      void this.stop();
      return;
    }
    this.watchTimer = setInterval(() => {
      if (processStart(targetPid) !== start) void this.stop();
    }, WATCH_INTERVAL_MS);
    this.watchTimer.unref();
  }

  /** SIGTERM, then SIGKILL after a grace period; resolves once the helper is gone. */
  stop(): Promise<void> {
    this.stopping ??= this.terminate();
    return this.stopping;
  }

  private async terminate(): Promise<void> {
    clearInterval(this.watchTimer);
    if (this.exitedWith === undefined) {
      this.child.ref();
      this.child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_GRACE_MS)));
      await Promise.race([this.exited, grace]);
      clearTimeout(timer);
      if (this.exitedWith === undefined) this.child.kill('SIGKILL');
      await this.exited;
    }
    for (const stream of this.child.stdio) (stream as Socket | null)?.destroy();
    rmSync(this.spec.stateDir, { recursive: true, force: true });
  }
}

export interface HelperLaunch extends HelperSpawn {
  /** A process in the network namespace to connect. */
  targetPid: number;
  /** Resolves when the helper is ready; must give up once `done()` is true. */
  ready: (helper: HelperProcess, done: () => boolean) => Promise<void>;
  timeoutMs: number;
  /** Setup once ready (e.g. port forwards through an API); a failure stops the helper. */
  configure?: () => Promise<void>;
}

/** Starts a helper against `targetPid`'s namespace, waits until it is ready and configured, and detaches it. */
export async function launchHelper(launch: HelperLaunch): Promise<HelperProcess> {
  if (launch.detached) writeFileSync(path.join(launch.stateDir, TARGET_FILE), `${launch.targetPid} ${processStart(launch.targetPid)}\n`);
  const helper = new HelperProcess(launch);
  try {
    await helper.waitReady((done) => launch.ready(helper, done), launch.timeoutMs);
    await launch.configure?.();
  } catch (error) {
    await helper.stop();
    throw error;
  }
  helper.detach(launch.targetPid);
  return helper;
}

/** Resolves once `condition()` holds, checking every few milliseconds until `done()`. */
export async function pollUntil(condition: () => boolean, done: () => boolean, intervalMs = 5): Promise<void> {
  while (!done()) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
