// What every e2e test needs: the registries and test images the setup pushed (from the JSON file
// in $ROOTLESS_E2E_ENV), and `rootless …` run as a black box in a sandbox of its own: a fresh
// store, runtime dir, HOME and config dir under a temp dir, so tests never see each other's state.
import { existsSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { readE2EEnv, type E2EEnv } from './setup/env.js';

export type { E2EEnv, ImageInfo } from './setup/env.js';

export const e2e: E2EEnv = readE2EEnv();

/** The package root (dist/test/e2e/harness.js → ../../..), where bin/rootless is. */
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const ROOTLESS_BIN = path.join(packageRoot, 'bin', 'rootless');

export interface RunOptions {
  input?: string;
  env?: Record<string, string>;
  /** Milliseconds; the command is killed after it (default 120 s, so a hang fails instead of blocking). */
  timeout?: number;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** The tests' environment without uvu's FORCE_COLOR, so that the CLI prints plain text. */
function plainEnv(): Record<string, string | undefined> {
  const { FORCE_COLOR: _color, ...rest } = process.env;
  return { ...rest, NO_COLOR: '1' };
}

function launch(args: string[], options: RunOptions): ResultPromise<{ reject: false }> {
  return execa(process.execPath, [ROOTLESS_BIN, ...args], {
    reject: false,
    input: options.input,
    stdin: options.input === undefined ? 'ignore' : undefined,
    env: { ...plainEnv(), ...options.env },
    extendEnv: false,
    timeout: options.timeout ?? 120_000,
    killSignal: 'SIGKILL',
    stripFinalNewline: false,
  }) as ResultPromise<{ reject: false }>;
}

/** Runs `node bin/rootless ARGS`; never throws on a non-zero exit. A signal death reads as 128+N. */
export async function rootless(args: string[], options: RunOptions = {}): Promise<RunResult> {
  const result = await launch(args, options);
  const exitCode = result.exitCode ?? (result.signal ? 128 + os.constants.signals[result.signal] : 255);
  return { exitCode, stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? '') };
}

export interface Sandbox {
  dir: string;
  /** ROOTLESS_STORE of this sandbox. */
  store: string;
  env: Record<string, string>;
  rootless(args: string[], options?: RunOptions): Promise<RunResult>;
  /** Starts `rootless ARGS` without waiting (to kill it, or to race another one). */
  start(args: string[], options?: RunOptions): ResultPromise<{ reject: false }>;
  /** Entries of a store subdirectory (blobs/sha256, layers, tmp…); [] when it does not exist. */
  list(storeSubdir: string): string[];
  /** Path of an unpacked layer in the store, by diffID. */
  layerPath(diffID: string): string;
  cleanup(): Promise<void>;
}

function sandboxRoot(): string {
  const root = process.env.ROOTLESS_E2E_TMP || os.tmpdir();
  mkdirSync(root, { recursive: true });
  return root;
}

export function createSandbox(name: string): Sandbox {
  const dir = mkdtempSync(path.join(sandboxRoot(), `${name.replace(/[^a-z0-9-]/gi, '-')}-`));
  const store = path.join(dir, 'store');
  const env: Record<string, string> = {
    HOME: path.join(dir, 'home'),
    XDG_CONFIG_HOME: path.join(dir, 'config'),
    XDG_DATA_HOME: path.join(dir, 'data'),
    XDG_RUNTIME_DIR: path.join(dir, 'run'),
    ROOTLESS_STORE: store,
    ROOTLESS_RUNTIME_DIR: path.join(dir, 'run', 'rootless'),
  };
  for (const key of ['HOME', 'XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'XDG_RUNTIME_DIR']) mkdirSync(env[key]!, { recursive: true, mode: 0o700 });
  const withEnv = (options: RunOptions = {}): RunOptions => ({ ...options, env: { ...env, ...options.env } });
  return {
    dir,
    store,
    env,
    rootless: (args, options) => rootless(args, withEnv(options)),
    start: (args, options) => launch(args, withEnv(options)),
    list(storeSubdir) {
      try {
        return readdirSync(path.join(store, storeSubdir));
      } catch {
        return [];
      }
    },
    layerPath: (diffID) => path.join(store, 'layers', diffID.replace(/^sha256:/, '')),
    async cleanup() {
      // Unpacked files belong to subordinate ids: only a user namespace with the user's ranges can
      // remove them all. util-linux unshare --map-auto is the fallback if the CLI's helper failed.
      await rootless(['unshare', 'rm', '-rf', dir], withEnv({ timeout: 60_000 }));
      if (existsSync(dir)) {
        await execa('unshare', ['--map-auto', '--map-root-user', 'rm', '-rf', dir], { reject: false, stdin: 'ignore', timeout: 60_000 });
      }
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch (error) {
        console.error(`e2e: could not remove ${dir} (${(error as Error).message}); scripts/test.sh removes it at the end`);
      }
    },
  };
}

/** Sandboxes made on demand by one test file, all removed by `cleanupAll` (its `after` hook). */
export function sandboxPool(prefix: string): { create(name: string): Sandbox; cleanupAll(): Promise<void> } {
  const created: Sandbox[] = [];
  return {
    create(name) {
      const sandbox = createSandbox(`${prefix}-${name}`);
      created.push(sandbox);
      return sandbox;
    },
    async cleanupAll() {
      for (const sandbox of created.splice(0)) await sandbox.cleanup();
    },
  };
}

export interface ImageRow {
  repository: string;
  tag: string;
  id: string;
}

/** Rows of `rootless images` (REPOSITORY TAG IMAGE ID …); the first three columns never hold spaces. */
export function parseImages(stdout: string): ImageRow[] {
  const lines = stdout.split('\n').filter((line) => line.trim());
  const rows = lines[0]?.startsWith('REPOSITORY') ? lines.slice(1) : lines;
  return rows.map((line) => {
    const [repository = '', tag = '', id = ''] = line.trim().split(/\s+/);
    return { repository, tag, id };
  });
}

/** Docker's short image id: the first 12 hex digits of the config digest. */
export function shortId(configDigest: string): string {
  return configDigest.replace(/^sha256:/, '').slice(0, 12);
}

/** `rootless image inspect NAME` parsed: Docker prints a JSON array of objects. */
export async function inspectImage(sandbox: Sandbox, name: string): Promise<Record<string, unknown>> {
  const result = await sandbox.rootless(['image', 'inspect', name]);
  if (result.exitCode !== 0) throw new Error(`image inspect ${name} exited ${result.exitCode}: ${result.stderr.trim()}`);
  const parsed = JSON.parse(result.stdout) as unknown;
  if (!Array.isArray(parsed) || parsed.length !== 1) throw new Error(`image inspect ${name} did not print a one-element JSON array`);
  return parsed[0] as Record<string, unknown>;
}

/** The `Error: …` lines of stderr (warnings such as Docker's insecure-password notice are not errors). */
export function errorLines(result: RunResult): string[] {
  return result.stderr.split('\n').filter((line) => line.startsWith('Error: '));
}

/** True when stderr holds a JavaScript stack trace, which a user should never see. */
export function hasStackTrace(result: RunResult): boolean {
  return /^\s+at .+:\d+:\d+\)?$/m.test(result.stderr);
}

/** A digest or image id without its `sha256:` prefix (Docker prints ids with it, Podman without). */
export function hex(digest: unknown): string {
  return String(digest).replace(/^sha256:/, '');
}

/** Describes a result for assertion messages, so a failure shows what the CLI said. */
export function said(result: RunResult): string {
  return `exit ${result.exitCode}; stdout: ${result.stdout.trim().slice(0, 500)}; stderr: ${result.stderr.trim().slice(0, 800)}`;
}

/** Where the registry keeps a blob (manifests included) on disk: …/blobs/sha256/<xx>/<hex>/data. */
export function registryBlobPath(registry: { storage: string }, digest: string): string {
  const hex = digest.replace(/^sha256:/, '');
  return path.join(registry.storage, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
}

/** Rewrites a blob in the registry's storage; the returned function puts the original back. */
export function alterRegistryBlob(file: string, alter: (data: Buffer) => Buffer): () => void {
  const original = readFileSync(file);
  writeFileSync(file, alter(Buffer.from(original)));
  return () => writeFileSync(file, original);
}
