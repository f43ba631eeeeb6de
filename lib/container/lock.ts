// One lifecycle change at a time per container (two `start`s, or `rm` during `stop`): an flock on
// `lock` in its bundle, which the kernel drops if the holder is killed.
import path from 'node:path';
import { acquireFileLock } from '../image/store-lock.js';
import { bundleDirOfState, type ContainerState } from './state.js';

export async function withContainerLock<T>(state: ContainerState, action: () => Promise<T>): Promise<T> {
  const handle = await acquireFileLock(path.join(bundleDirOfState(state), 'lock'));
  try {
    return await action();
  } finally {
    await handle.close();
  }
}
