// A command run under util-linux `script`, which gives it a pseudo-terminal of the host's devpts:
// the test writes keys into that terminal and reads what the command printed on it.
import { spawn } from 'node:child_process';

export interface PtySession {
  /** Everything printed so far. */
  output(): string;
  /** Types into the terminal. */
  write(text: string): void;
  /** Resolves once `pattern` appears in the output; rejects if the command ends first. */
  waitFor(pattern: RegExp): Promise<void>;
  /** The command's exit status (script -e passes it on). */
  exit: Promise<number | null>;
}

/** Runs `shellCommand` (sh syntax) on a new terminal, with `env`. */
export function ptySession(shellCommand: string, env: NodeJS.ProcessEnv): PtySession {
  const child = spawn('script', ['-qfec', shellCommand, '/dev/null'], { env: { ...env, SHELL: '/bin/sh' }, stdio: ['pipe', 'pipe', 'inherit'] });
  let output = '';
  const waiters: Array<() => void> = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    for (const waiter of waiters.splice(0)) waiter();
  });
  const exit = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  // bound every session: a hang fails the test instead of blocking the run
  const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
  void exit.then(() => clearTimeout(guard));
  return {
    output: () => output,
    write: (text) => child.stdin.write(text),
    waitFor(pattern) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(output)) resolve();
          else waiters.push(check);
        };
        void exit.then(() => reject(new Error(`the command ended before ${pattern} appeared; output: ${JSON.stringify(output)}`)));
        check();
      });
    },
    exit,
  };
}

/** Single-quotes `text` for sh. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
