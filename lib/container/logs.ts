// `rootless logs`: a detached container's stdout and stderr, as its monitor's shell wrote them to
// container.log (one stream, in the order written, each line stamped: log-format.ts). -f follows
// the file until the container ends.
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { RootlessError } from '../errors.js';
import { bootTimeCentis, completeLinesEnd, formatLogLines, tailStart } from './log-format.js';
import { bundleDirOfState, isRunning, logFile, type ContainerState } from './state.js';

const FOLLOW_INTERVAL_MS = 100;

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
  if (!state.detached) {
    throw new RootlessError(`container ${state.name} was started in the foreground: its output went to the terminal, not to a log`, {
      remedy: 'Run it with -d to keep its output for `rootless logs`',
    });
  }
  // the stamps count from boot; /proc/uptime is the same clock
  const bootCentis = options.timestamps ? bootTimeCentis(Date.now(), readFileSync('/proc/uptime', 'utf8')) : undefined;
  const file = logFile(bundleDirOfState(state));
  let running = options.follow === true && isRunning(state);
  let readEnd = options.fromOffset ?? 0;
  const first = readFrom(file, readEnd);
  readEnd += first.length;
  let pending = first.subarray(tailStart(first, options.tail));
  for (;;) {
    // while it runs, a last line without newline may still be being written
    const shown = running ? pending.subarray(0, completeLinesEnd(pending)) : pending;
    if (shown.length) out(formatLogLines(shown, bootCentis));
    if (!running) return;
    await sleep(FOLLOW_INTERVAL_MS);
    running = isRunning(state);
    const more = readFrom(file, readEnd);
    readEnd += more.length;
    pending = Buffer.concat([pending.subarray(shown.length), more]);
  }
}
