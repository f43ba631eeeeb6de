// A network helper (pasta, slirp4netns) as a child of the CLI that can never hang it: readiness is
// awaited with a timeout and fails early, with the helper's own first line, if it exits; stop()
// escalates to SIGKILL; the helper dies with the CLI (`setpriv --pdeathsig KILL`) and is stopped
// when the container's namespace holder goes away (neither helper notices that by itself).
// child_process rather than execa: we need raw extra fds (ready/exit pipes) and unref(), and a
// long-lived helper gains nothing from execa's promise of a result.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import type { Socket } from 'node:net';
import { RootlessError } from '../errors.js';
import { findHelper } from '../runtime/idmap.js';

const STOP_GRACE_MS = 2000;
const WATCH_INTERVAL_MS = 200;
const STDERR_LIMIT = 8192;

/** Lines a helper prints that say nothing (this pasta build cannot reach syslog). */
const NOISE = /^Failed to send \d+ bytes to syslog$/;

/** Fields of /proc/PID/stat after the command name: state, then starttime at index 19. */
function processStart(pid: number): string | undefined {
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

export interface HelperSpawn {
  name: string;
  argv: string[];
  /** Pipes handed to the helper as fds 3, 4, … (e.g. slirp4netns's --ready-fd and --exit-fd). */
  extraFds?: number;
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
    const setpriv = findHelper('setpriv');
    const [file, ...args] = setpriv ? [setpriv, '--pdeathsig', 'KILL', ...spec.argv] : spec.argv;
    const extra = Array.from({ length: spec.extraFds ?? 0 }, () => 'pipe' as const);
    this.child = spawn(file!, args, { stdio: ['ignore', 'ignore', 'pipe', ...extra] as StdioOptions });
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
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (chunk: string) => {
      if (this.stderrText.length < STDERR_LIMIT) this.stderrText += chunk;
    });
  }

  /** Extra fd number `fd` (3, 4, …) on our side. */
  fd(fd: number): Socket {
    return this.child.stdio[fd] as Socket;
  }

  /** The first line the helper printed that says something. */
  firstMessage(): string {
    const lines = this.stderrText.split('\n').map((line) => line.trim());
    return lines.find((line) => line && !NOISE.test(line)) ?? '';
  }

  failure(what: string, remedy?: string): RootlessError {
    const said = this.firstMessage();
    return new RootlessError(`${this.spec.name} ${what}${said ? `: ${said}` : ''}`, {
      remedy: remedy ?? `Run \`${this.spec.argv.join(' ')}\` by hand to see the whole message`,
    });
  }

  /**
   * Waits for `ready`; throws with the helper's first message if it exits first or stays silent
   * for `timeoutMs`, stopping it in the last case. `ready` must settle once `done()` turns true.
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
      if (outcome === 'timeout') {
        await this.stop();
        throw this.failure(`did not bring the network up within ${timeoutMs / 1000} s`);
      }
    } finally {
      finished = true;
      clearTimeout(timer);
    }
  }

  /** After readiness: the helper no longer keeps the CLI's event loop alive; `onGone` runs when `targetPid` ends. */
  detach(targetPid: number, onGone: () => Promise<void>): void {
    this.child.unref();
    for (const stream of this.child.stdio) (stream as Socket | null)?.unref?.();
    const start = processStart(targetPid);
    this.watchTimer = setInterval(() => {
      if (processStart(targetPid) !== start) void onGone();
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
  }
}

/** Resolves once `condition()` holds, checking every few milliseconds until `done()`. */
export async function pollUntil(condition: () => boolean, done: () => boolean, intervalMs = 5): Promise<void> {
  while (!done()) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
