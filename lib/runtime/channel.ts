// The control channel between the CLI and a program it starts inside namespaces: fd 3 of the
// inner program, a socket carrying one JSON message per line. The inner side is synchronous
// (it runs on Node's main thread, which owns the namespaces' per-thread state); the outer side
// is a stream. Keep this module free of imports beyond node:fs: the second stage loads it.
import { readSync, writeSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';

/** fd number of the channel in the inner program. */
export const CHANNEL_FD = 3;
/** fd number of the socket a stage sends its terminal's master on (-t). */
export const TERMINAL_FD = 4;

export type Message = { type: string; [key: string]: unknown };

// ---- inner side (synchronous) ----

let pending = '';

/** Blocks until one whole message arrives; null when the outer side closed the channel. */
export function receiveSync(fd = CHANNEL_FD): Message | null {
  const buffer = Buffer.alloc(4096);
  for (;;) {
    const newline = pending.indexOf('\n');
    if (newline >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      return JSON.parse(line) as Message;
    }
    let count: number;
    try {
      count = readSync(fd, buffer, 0, buffer.length, null);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
        continue;
      }
      throw error;
    }
    if (count === 0) return null;
    pending += buffer.toString('utf8', 0, count);
  }
}

export function sendSync(message: Message, fd = CHANNEL_FD): void {
  const data = Buffer.from(JSON.stringify(message) + '\n');
  let offset = 0;
  while (offset < data.length) offset += writeSync(fd, data, offset);
}

// ---- outer side (streams) ----

export class OuterChannel {
  private buffered = '';
  private readonly queue: Message[] = [];
  private waiters: Array<(message: Message | null) => void> = [];
  private closed = false;

  constructor(
    input: Readable,
    private readonly output: Writable,
  ) {
    input.setEncoding('utf8');
    input.on('data', (chunk: string) => {
      this.buffered += chunk;
      let newline: number;
      while ((newline = this.buffered.indexOf('\n')) >= 0) {
        const line = this.buffered.slice(0, newline);
        this.buffered = this.buffered.slice(newline + 1);
        this.deliver(JSON.parse(line) as Message);
      }
    });
    const close = () => {
      this.closed = true;
      for (const waiter of this.waiters.splice(0)) waiter(null);
    };
    input.on('end', close);
    input.on('close', close);
    input.on('error', close);
    output.on('error', () => undefined); // the inner side may exec or die before reading
  }

  private deliver(message: Message): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(message);
    else this.queue.push(message);
  }

  /** The next message, or null once the inner side closed its end (exec succeeded, or it died). */
  receive(): Promise<Message | null> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  send(message: Message): void {
    this.output.write(JSON.stringify(message) + '\n');
  }

  close(): void {
    this.output.end();
  }
}
