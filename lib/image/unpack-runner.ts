// Starts the unpack worker inside the user's user namespace and collects its verdict.
// The caller writes the compressed layer to `input` and awaits `result`.
import { chown } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { RootlessError } from '../errors.js';
import { installedFile } from '../paths.js';
import { timingEnabled, timingEnv } from '../timing.js';
import { defaultUserNamespace, namespaceRootIds, type UserNamespacePlan } from '../runtime/idmap.js';
import { launchInNamespaces } from '../runtime/launcher.js';

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

/** Unpacks into `target` (an empty directory of ours) what is written to the job's input. */
export async function startUnpack(target: string, compression: Compression, plan: UserNamespacePlan = defaultUserNamespace()): Promise<UnpackJob> {
  // real root is not mapped into the namespace: hand the directory to the namespace's root
  const owner = namespaceRootIds(plan);
  if (process.getuid?.() === 0) await chown(target, owner.uid, owner.gid);
  const { child, channel, exited } = await launchInNamespaces({
    namespaces: ['user'],
    plan,
    argv: [process.execPath, workerPath, target, compression],
    stdio: ['pipe', 'ignore', 'pipe'],
    keepChannel: true,
    env: { ...process.env, ...timingEnv() },
  });
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
