// Helpers of the `rootless run` end-to-end tests (unprivileged and root): a sandbox holding the
// test registry's image, run the CLI, find a container's process on the host, wait for a
// condition with a bound.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createSandbox, said, type Sandbox } from './harness.js';

export const BIN = fileURLToPath(new URL('../../../bin/rootless', import.meta.url));

export interface Result {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

export function rootless(args: string[], env: NodeJS.ProcessEnv, input?: string): Result {
  const result = spawnSync(BIN, args, { env, input, encoding: 'utf8', maxBuffer: 64 << 20, timeout: 60_000 });
  return { exitCode: result.status, stdout: result.stdout, stderr: result.stderr };
}

export interface PulledImage {
  box: Sandbox;
  /** The reference the image was pulled by. */
  image: string;
  /** The environment that finds it: the sandbox's store, runtime dir and HOME. */
  env: NodeJS.ProcessEnv;
}

/** A fresh sandbox into which `reference` was pulled from the test registry with `rootless pull`. */
export async function pullIntoSandbox(name: string, reference: string): Promise<PulledImage> {
  const box = createSandbox(name);
  // real root's containers run as 100000…: they must be able to reach the store's layers and
  // the runtime dir's rootfs mount point
  if (process.getuid?.() === 0) for (const dir of [box.dir, box.env.XDG_RUNTIME_DIR!]) chmodSync(dir, 0o711);
  const pulled = await box.rootless(['pull', '--quiet', reference]);
  if (pulled.exitCode !== 0) throw new Error(`pull ${reference}: ${said(pulled)}`);
  return { box, image: reference, env: { ...process.env, ...box.env } };
}

export function rootlessAsync(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(BIN, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Host pids of processes whose argv is exactly `argv`. */
export function findProcesses(argv: string[]): number[] {
  const wanted = argv.join('\0') + '\0';
  return readdirSync('/proc')
    .filter((name) => /^[0-9]+$/.test(name))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8') === wanted;
      } catch {
        return false;
      }
    })
    .map(Number);
}

export function hostUid(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((text) => text.startsWith('Uid:'))!;
  return Number(line.split(/\s+/)[1]);
}

/** Polls `condition` every 20 ms for at most `limitMs`; returns its last value. */
export async function waitFor<T>(condition: () => T, limitMs = 10_000): Promise<T> {
  const end = Date.now() + limitMs;
  let value = condition();
  while (!value && Date.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    value = condition();
  }
  return value;
}

export interface Watched {
  stdout(): string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Collects a child's stdout from the start and its exit. */
export function watch(child: ChildProcess): Watched {
  let stdout = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { stdout: () => stdout, exit };
}
