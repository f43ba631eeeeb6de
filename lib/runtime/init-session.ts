// The CLI's side of a process it starts in a container (stage 2 of `run`, the exec stage of
// `exec`): follows the stage's messages on the control channel, forwards the CLI's signals to
// the process once it runs, attaches its terminal (-t), and turns the stage's error into the
// CLI's one line with Docker's exit code.
import { closeSync } from 'node:fs';
import { RootlessError } from '../errors.js';
import type { OuterChannel } from './channel.js';
import type { InitErrorMessage } from './init-error.js';
import type { TerminalSession } from './terminal-session.js';

const FORWARDED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];
/** After the process exits, how long output still held by its leftover children is waited for. */
const TERMINAL_DRAIN_MS = 2000;

function remedyFor(message: InitErrorMessage): string {
  if (message.remedy) return message.remedy;
  if (message.exitCode === 127) return 'Check the command name and that the image contains it';
  if (message.exitCode === 126) return 'Check that it is an executable program the container user may run';
  return 'Run `rootless doctor` to check the host, or set ROOTLESS_DEBUG=1 for details';
}

/** A stage's failure as the CLI reports it (exit 125, 126 or 127). */
export function initFailure(message: InitErrorMessage): RootlessError {
  return new RootlessError(message.message, { exitCode: message.exitCode, remedy: remedyFor(message) });
}

export interface SignalForwarder {
  setTarget(pid: number): void;
  stop(): void;
}

/** Forwards the CLI's signals to the container's command once it runs (init ignores them before). */
export function forwardSignals(): SignalForwarder {
  let target: number | undefined;
  const pending: NodeJS.Signals[] = [];
  const deliver = (signal: NodeJS.Signals) => {
    try {
      process.kill(target!, signal);
    } catch {
      // already gone
    }
  };
  const onSignal = (signal: NodeJS.Signals) => (target === undefined ? pending.push(signal) : deliver(signal));
  for (const signal of FORWARDED_SIGNALS) process.on(signal, onSignal);
  return {
    setTarget(pid) {
      target = pid;
      pending.splice(0).forEach(deliver);
    },
    stop() {
      for (const signal of FORWARDED_SIGNALS) process.off(signal, onSignal);
    },
  };
}

/** The CLI's end of the socket a stage sends the terminal's master on; `childEnd` goes to the stage as fd 4. */
export interface TerminalSocket {
  cliEnd: number;
  childEnd: number;
  interactive: boolean;
}

export async function openTerminalSocket(interactive: boolean): Promise<TerminalSocket> {
  // koffi (~20 ms to load) only for -t: a plain run's CLI does not load it
  const { createSocketPair } = await import('../sys/fd-passing.js');
  const [cliEnd, childEnd] = createSocketPair();
  return { cliEnd, childEnd, interactive };
}

interface InitOutcome {
  failure?: InitErrorMessage;
  terminal?: TerminalSession;
}

/** Reads the stage's messages until the channel closes (exec succeeded, or the stage died). */
async function followInit(channel: OuterChannel, signals: SignalForwarder, socket?: TerminalSocket): Promise<InitOutcome> {
  let hostPid: number | undefined;
  const outcome: InitOutcome = {};
  for (let message = await channel.receive(); message; message = await channel.receive()) {
    if (message.type === 'pid') hostPid = Number(message.pid);
    else if (message.type === 'exec' && hostPid !== undefined) signals.setTarget(hostPid);
    else if (message.type === 'error') outcome.failure = message as InitErrorMessage;
    else if (message.type === 'terminal') {
      // the master was sent before this message: recvmsg does not block
      const { receiveFds } = await import('../sys/fd-passing.js');
      const [master] = socket && !outcome.terminal ? receiveFds(socket.cliEnd).fds : [];
      if (master !== undefined) {
        const { startTerminalSession } = await import('./terminal-session.js');
        outcome.terminal = startTerminalSession(master, socket!.interactive);
      }
      // the stage waits for the answer: its command starts once the window size is set
      channel.send({ type: master === undefined ? 'terminal-missing' : 'terminal-attached' });
    }
  }
  return outcome;
}

/**
 * Follows a started stage to the end: its exit status, and its error message if it sent one
 * (initFailure makes it the CLI's error). The terminal, if any, is detached (the host terminal
 * restored) before this returns.
 */
export async function superviseInit(
  exited: Promise<number>,
  channel: OuterChannel,
  signals: SignalForwarder,
  socket?: TerminalSocket,
): Promise<[number, InitErrorMessage | undefined]> {
  const [status, outcome] = await Promise.all([exited, followInit(channel, signals, socket)]);
  try {
    if (outcome.terminal) {
      let timer: NodeJS.Timeout | undefined;
      const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, TERMINAL_DRAIN_MS)));
      await Promise.race([outcome.terminal.drained, limit]);
      clearTimeout(timer);
    }
  } finally {
    outcome.terminal?.detach();
    if (socket) closeSync(socket.cliEnd);
  }
  return [status, outcome.failure];
}
