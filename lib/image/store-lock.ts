// The store's locks. `lock` (flock, polled so Node's event loop never blocks) guards images.json
// and every rename into blobs/ and layers/. Each pull stages in its own tmp/<dir>, which it holds
// flocked while it lives: a tmp entry nobody holds belongs to a killed process and is garbage.
import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { RootlessError } from '../errors.js';
import { removeAsNamespaceRoot } from '../runtime/remove.js';

const LOCK_WAIT_LIMIT_MS = 5 * 60_000;

/** flock(LOCK_EX|LOCK_NB). lib/sys is loaded on first use: an image lookup (`rootless run`) must not pay for koffi. */
async function tryLock(fd: number): Promise<boolean> {
  const { LOCK_EX, LOCK_NB, flock } = await import('../sys/fs.js');
  return flock(fd, LOCK_EX | LOCK_NB);
}

/** Takes an exclusive flock on `file` (created if missing), polling while another process holds it. */
export async function acquireFileLock(file: string): Promise<fs.FileHandle> {
  const handle = await fs.open(file, 'a');
  const deadline = Date.now() + LOCK_WAIT_LIMIT_MS;
  let delay = 5;
  try {
    while (!(await tryLock(handle.fd))) {
      if (Date.now() > deadline) {
        throw new RootlessError(`another rootless process has held the lock ${file} for 5 minutes`, {
          remedy: 'Wait for it to finish, or find it with `fuser -v ' + file + '`',
        });
      }
      await sleep(delay);
      delay = Math.min(delay * 2, 200);
    }
  } catch (error) {
    await handle.close();
    throw error;
  }
  return handle; // closing the handle releases the lock
}

/** A staging directory under tmp/, held (flocked) until released. */
export interface TempDir {
  path: string;
  /** Removes the directory and what is left in it, then drops the hold. */
  release(): Promise<void>;
}

/** Call with the store lock held, so a cleaner cannot take the new directory before it is held. */
export async function createTempDir(tmpDir: string, prefix: string): Promise<TempDir> {
  const dir = await fs.mkdtemp(path.join(tmpDir, `${prefix}-`));
  const handle = await fs.open(dir, 'r');
  await tryLock(handle.fd); // a fresh directory: nobody else can hold it
  return {
    path: dir,
    async release() {
      try {
        await removeAsNamespaceRoot([dir]);
      } finally {
        await handle.close();
      }
    },
  };
}

/** Removes the tmp/ entries of processes that died (nobody holds their flock). Call with the store lock held. */
export async function removeStaleTempDirs(tmpDir: string): Promise<void> {
  const stale: string[] = [];
  for (const name of await fs.readdir(tmpDir)) {
    const entry = path.join(tmpDir, name);
    const handle = await fs.open(entry, 'r').catch(() => undefined);
    if (!handle) {
      stale.push(entry);
      continue;
    }
    try {
      if (await tryLock(handle.fd)) stale.push(entry);
    } finally {
      await handle.close();
    }
  }
  if (stale.length > 0) await removeAsNamespaceRoot(stale);
}
