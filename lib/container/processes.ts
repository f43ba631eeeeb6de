// A container's processes as the host sees them: PID 1 is the child of stage 1's shell (state.pid),
// the others share its pid namespace. Signals go to PID 1 (the kernel delivers only those it
// handles, SIGKILL always, as docker's `kill` and `stop` rely on).
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { constants } from 'node:os';
import { RootlessError } from '../errors.js';
import { processAlive, type ContainerState } from './state.js';

/** SIGTERM, TERM, term, 15 → the signal's number; RootlessError for anything else. */
export function parseSignal(text: string): number {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) {
    const number = Number(trimmed);
    if (number >= 1 && number <= 64) return number;
  } else {
    const name = trimmed.toUpperCase().replace(/^SIG/, '');
    const number = (constants.signals as Record<string, number>)[`SIG${name}`];
    if (number !== undefined) return number;
  }
  throw new RootlessError(`invalid signal "${text}"`, { remedy: 'Give a name such as SIGTERM, TERM or KILL, or a number such as 15' });
}

function namespaceOf(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return undefined;
  }
}

/** The container's PID 1 on the host, while it exists. */
export function containerInitPid(state: ContainerState): number | undefined {
  if (processAlive(state.pid, state.pidStart)) {
    try {
      const child = readFileSync(`/proc/${state.pid}/task/${state.pid}/children`, 'utf8').trim().split(/\s+/)[0];
      if (child) return Number(child);
    } catch {
      // ended meanwhile
    }
  }
  // stage 1 gone: a PID 1 that outlived it (its parent-death signal is cleared by a user change)
  if (state.initPid && state.pidNamespace && namespaceOf(state.initPid) === state.pidNamespace) return state.initPid;
  return undefined;
}

/** Every host pid in the container's pid namespace (PID 1 first). */
export function containerPids(state: ContainerState): number[] {
  const init = containerInitPid(state);
  const namespace = init === undefined ? undefined : namespaceOf(init);
  if (init === undefined || namespace === undefined) return [];
  const others = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== init)
    .map(Number)
    .filter((pid) => namespaceOf(pid) === namespace);
  return [init, ...others];
}

/** Sends `signal` to the container's PID 1; false when it no longer runs. */
export function signalContainer(state: ContainerState, signal: number): boolean {
  const init = containerInitPid(state);
  if (init === undefined) return false;
  try {
    process.kill(init, signal);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM to a process if it is still the one that started at `start`. */
export function endProcess(pid: number | undefined, start: string | undefined, signal: NodeJS.Signals = 'SIGTERM'): void {
  if (!pid || !processAlive(pid, start)) return;
  try {
    process.kill(pid, signal);
  } catch {
    // gone meanwhile
  }
}
