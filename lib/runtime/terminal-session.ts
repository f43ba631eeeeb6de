// The container's terminal (`-t`), CLI side: the master that stage 2 (or the exec stage) passed
// over, copied to and from this process's stdio. With a host terminal and -i, the host terminal
// is in raw mode for the session, so every key (Ctrl-C included) reaches the container's line
// discipline as a byte and signals its foreground process group there; the settings come back
// when the session ends, on errors and at exit. Output is not post-processed (Docker's raw mode):
// the container's own terminal already did that. The window size follows the host's (SIGWINCH).
import tty from 'node:tty';
import { disableOutputProcessing, getWindowSize, setWindowSize, type WindowSize } from '../sys/terminal.js';

export interface TerminalSession {
  /** Resolves when every process holding the container's side has closed it (its output is copied). */
  drained: Promise<void>;
  /** Stops copying, closes the master and restores the host terminal. Idempotent. */
  detach(): void;
}

/** The host's window size from the first of stdin, stdout, stderr that is a terminal. */
function hostWindowSize(): WindowSize | undefined {
  for (const fd of [0, 1, 2]) {
    const size = getWindowSize(fd);
    if (size) return size;
  }
  return undefined;
}

export function startTerminalSession(master: number, interactive: boolean): TerminalSession {
  const stream = new tty.ReadStream(master);
  const stdin = process.stdin;
  const rawMode = interactive && stdin.isTTY === true;
  const resize = () => {
    const size = hostWindowSize();
    if (size) {
      try {
        setWindowSize(master, size);
      } catch {
        // the session is ending
      }
    }
  };
  const restore = () => {
    if (rawMode) stdin.setRawMode(false);
  };
  const forward = (chunk: Buffer) => stream.write(chunk);
  resize();
  process.on('SIGWINCH', resize);
  process.once('exit', restore);
  if (rawMode) {
    // Node saves the settings before its first change and setRawMode(false) puts them all back
    stdin.setRawMode(true);
    disableOutputProcessing(0);
  }
  if (interactive) stdin.on('data', forward).resume();
  stream.on('data', (chunk: Buffer) => process.stdout.write(chunk));
  // EIO: the last slave fd is closed (Linux reports the hang-up as a read error)
  const drained = new Promise<void>((resolve) => stream.on('close', () => resolve()));
  stream.on('error', () => undefined);
  let detached = false;
  return {
    drained,
    detach() {
      if (detached) return;
      detached = true;
      process.off('SIGWINCH', resize);
      stdin.off('data', forward);
      if (interactive) stdin.pause();
      restore();
      process.off('exit', restore);
      stream.destroy();
    },
  };
}
