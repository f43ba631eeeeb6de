// `rootless logs`: a detached container's stdout and stderr, as its monitor's shell wrote them to
// container.log (one stream, in the order written). -f follows the file until the container ends.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { RootlessError } from '../errors.js';
import { bundleDirOfState, isRunning, logFile, type ContainerState } from './state.js';

const FOLLOW_INTERVAL_MS = 100;

/** The last `count` lines of `text` (a final line without newline counts); all when count is undefined. */
export function tailLines(text: string, count: number | undefined): string {
  if (count === undefined || count < 0) return text;
  if (count === 0) return '';
  const lines = text.split('\n');
  const partial = lines.pop(); // '' after a final newline
  const kept = lines.slice(Math.max(0, lines.length - count + (partial ? 1 : 0)));
  return kept.map((line) => `${line}\n`).join('') + (partial ?? '');
}

/** --tail's value: a count, or `all`. */
export function parseTail(text: string | undefined): number | undefined {
  if (text === undefined || text === 'all') return undefined;
  if (/^\d+$/.test(text)) return Number(text);
  throw new RootlessError(`invalid --tail "${text}"`, { remedy: 'Give a number of lines or `all`' });
}

export interface LogOptions {
  follow?: boolean;
  tail?: number;
  timestamps?: boolean;
  /** Start at this byte of the log (`start -a`: what this start prints). */
  fromOffset?: number;
}

function readFrom(file: string, offset: number): Buffer {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return Buffer.alloc(0); // not written yet, or removed
  }
  try {
    const size = statSync(file).size;
    const buffer = Buffer.alloc(Math.max(0, size - offset));
    let read = 0;
    while (read < buffer.length) {
      const count = readSync(fd, buffer, read, buffer.length - read, offset + read);
      if (count === 0) break;
      read += count;
    }
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/** The log's size now (where the next start's output begins). */
export function logSize(state: ContainerState): number {
  return statSync(logFile(bundleDirOfState(state)), { throwIfNoEntry: false })?.size ?? 0;
}

/** Writes the log to `out`; with `follow`, goes on until the container is no longer running. */
export async function showLogs(state: ContainerState, options: LogOptions, out: (chunk: Buffer) => void): Promise<void> {
  if (options.timestamps) {
    throw new RootlessError('rootless keeps the raw output (its ~1 MB monitor does not time lines), so it has no timestamps to show', {
      remedy: 'Leave out -t/--timestamps; print times from the container (e.g. `date` in its command) if you need them',
    });
  }
  if (!state.detached) {
    throw new RootlessError(`container ${state.name} was started in the foreground: its output went to the terminal, not to a log`, {
      remedy: 'Run it with -d to keep its output for `rootless logs`',
    });
  }
  const file = logFile(bundleDirOfState(state));
  const first = readFrom(file, options.fromOffset ?? 0);
  out(options.tail === undefined ? first : Buffer.from(tailLines(first.toString('utf8'), options.tail)));
  let offset = (options.fromOffset ?? 0) + first.length;
  while (options.follow) {
    const running = isRunning(state);
    const more = readFrom(file, offset);
    if (more.length) out(more);
    offset += more.length;
    if (!running) return;
    await sleep(FOLLOW_INTERVAL_MS);
  }
}
