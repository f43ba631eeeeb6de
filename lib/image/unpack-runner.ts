// Starts the unpack worker and collects its verdict. A user's worker runs inside the user's user
// namespace (the tar's owners land in the subordinate range); real root's runs without one, so
// its layers keep the tar's own owners on disk and containers see them through ID-mapped mounts.
// The caller writes the compressed layer to `input` and awaits `result`.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import type { Writable } from 'node:stream';
import { RootlessError } from '../errors.js';
import { installedFile } from '../paths.js';
import { timingEnabled } from '../timing.js';
import { OuterChannel } from '../runtime/channel.js';
import { defaultUserNamespace, type UserNamespacePlan } from '../runtime/idmap.js';
import { exitStatus, launchInNamespaces, type Launched } from '../runtime/launcher.js';

export type Compression = 'gzip' | 'zstd' | 'none';

export interface UnpackJob {
  /** Where the compressed layer goes; EPIPE is swallowed (the worker's message says why it stopped). */
  input: Writable;
  /** diff_id of the uncompressed tar and notes about what could not be reproduced. */
  result: Promise<{ diffID: string; notes: string[] }>;
  /** Stops the worker (another layer failed). */
  abort(): void;
}

// one file (scripts/bundle.mjs): tar-stream and its dependencies are many small modules
const workerPath = installedFile('image/unpack-worker.bundle.js');

/** Real root's worker: a plain child process with the control channel as fd 3. */
function startAsRoot(argv: string[]): Launched {
  const child: ChildProcess = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number>((resolve, reject) => {
    child.once('error', (error) => reject(new RootlessError(`cannot start the unpack worker: ${error.message}`, { cause: error })));
    child.once('exit', (code, signal) => resolve(exitStatus(code, signal)));
  });
  exited.catch(() => undefined);
  const socket = child.stdio[3] as unknown as Socket;
  return { child, channel: new OuterChannel(socket, socket), exited, pid: child.pid!, kill: () => child.kill('SIGKILL'), monitored: false, release: () => child.unref() };
}

/**
 * Unpacks into `target` (an empty directory of ours) what is written to the job's input. `plan`
 * is the user namespace a user's worker runs in; real root's needs none.
 */
export async function startUnpack(target: string, compression: Compression, plan: UserNamespacePlan = defaultUserNamespace()): Promise<UnpackJob> {
  const argv = [process.execPath, workerPath, target, compression];
  const { child, channel, exited } =
    process.getuid?.() === 0
      ? startAsRoot(argv)
      : await launchInNamespaces({ namespaces: ['user'], plan, argv, stdio: ['pipe', 'ignore', 'pipe'], keepChannel: true });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    if (timingEnabled) process.stderr.write(chunk); // the worker's timing lines
    stderr = (stderr + chunk).slice(-4000);
  });
  const input = child.stdin!;
  input.on('error', () => undefined);
  const result = (async () => {
    const message = await channel.receive();
    const status = await exited;
    if (message?.type === 'done') return { diffID: String(message.diffID), notes: (message.notes as string[]) ?? [] };
    if (message?.type === 'error') {
      throw new RootlessError(String(message.message), { remedy: message.remedy as string | undefined });
    }
    const said = stderr.trim().split('\n').pop() ?? '';
    throw new RootlessError(`the unpack worker stopped with status ${status}${said ? `: ${said}` : ''}`, {
      remedy: 'Run `rootless doctor` to check user namespace support; ROOTLESS_DEBUG=1 shows more',
    });
  })();
  result.catch(() => undefined);
  return { input, result, abort: () => child.kill('SIGKILL') };
}
