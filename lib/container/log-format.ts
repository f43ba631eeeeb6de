// container.log as the monitor writes it (monitor.ts): each line of the container's output after
// a stamp, the seconds since boot with centiseconds (`12345.67 text\n`, `' text'` when the clock
// could not be read); a `p` after the stamp marks output that ended without newline
// (`12345.67p text\n`: `text`). Bytes, not strings: the container's output need not be UTF-8.

const NEWLINE = 0x0a;
const SPACE = 0x20;
/** After the stamp of output that ended without newline. */
const PARTIAL = 'p';
/** Docker's time for an unknown one (Go's zero time). */
const UNKNOWN_TIME = '0001-01-01T00:00:00.000000000Z';

/** The boot time in centiseconds since the epoch, from the clock now and /proc/uptime's text. */
export function bootTimeCentis(nowMs: number, uptimeText: string): number {
  return Math.round(nowMs / 10 - Number.parseFloat(uptimeText) * 100);
}

/** `12345.67` → 1234567; undefined when it is no such stamp. */
export function stampCentis(stamp: string): number | undefined {
  const match = /^(\d+)\.(\d{2})$/.exec(stamp);
  return match ? Number(match[1]) * 100 + Number(match[2]) : undefined;
}

/** Docker's `logs -t` time: RFC 3339 in UTC with nanoseconds, of a stamp after the boot time. */
export function stampTime(stamp: string, bootCentis: number): string {
  const centis = stampCentis(stamp);
  if (centis === undefined) return UNKNOWN_TIME;
  return new Date((bootCentis + centis) * 10).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

/** Where the last `count` lines of the log start (a final line without newline counts). */
export function tailStart(log: Buffer, count: number | undefined): number {
  if (count === undefined || count < 0) return 0;
  if (count === 0) return log.length;
  let end = log.length;
  if (log[end - 1] === NEWLINE) end -= 1; // the final newline ends the last line
  for (let seen = 0; end > 0; end -= 1) {
    if (log[end - 1] === NEWLINE && ++seen === count) return end;
  }
  return 0;
}

/** The output of stamped log lines: without the stamps, or (with `bootCentis`) after docker's time. */
export function formatLogLines(log: Buffer, bootCentis?: number): Buffer {
  const parts: Buffer[] = [];
  for (let start = 0; start < log.length; ) {
    const newline = log.indexOf(NEWLINE, start);
    const end = newline === -1 ? log.length : newline + 1;
    const line = log.subarray(start, end);
    const space = line.indexOf(SPACE);
    let stamp = line.subarray(0, Math.max(space, 0)).toString('latin1');
    const partial = stamp.endsWith(PARTIAL);
    if (partial) stamp = stamp.slice(0, -PARTIAL.length);
    const text = space === -1 ? line : line.subarray(space + 1, partial && newline !== -1 ? line.length - 1 : line.length);
    if (bootCentis !== undefined) parts.push(Buffer.from(`${stampTime(stamp, bootCentis)} `));
    parts.push(text);
    start = end;
  }
  return Buffer.concat(parts);
}

/** Where the last complete line of `log` ends (what `logs -f` can show while more may follow). */
export function completeLinesEnd(log: Buffer): number {
  return log.lastIndexOf(NEWLINE) + 1;
}
