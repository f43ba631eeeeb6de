// What `run` records about a container in its bundle (runtimeDir()/containers/<id>/state.json):
// read by name checks, `rootless port`, and the lifecycle commands to come.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { PortMapping } from '../net/options.js';
import { runtimeDir } from '../paths.js';

export interface ContainerState {
  id: string;
  name: string;
  image: string;
  created: string;
  /** Stage 1's supervising process, once started: the container runs while it does. */
  pid?: number;
  /** Published ports, host side first known. */
  ports?: PortMapping[];
}

export function stateFile(bundleDir: string): string {
  return path.join(bundleDir, 'state.json');
}

/** Every container with a readable state; one being created or removed right now is skipped. */
export function readContainerStates(): ContainerState[] {
  const dir = path.join(runtimeDir(), 'containers');
  let ids: string[];
  try {
    ids = readdirSync(dir);
  } catch {
    return [];
  }
  return ids.flatMap((id) => {
    try {
      return [JSON.parse(readFileSync(stateFile(path.join(dir, id)), 'utf8')) as ContainerState];
    } catch {
      return [];
    }
  });
}

export function isRunning(state: ContainerState): boolean {
  if (!state.pid) return false;
  try {
    process.kill(state.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
