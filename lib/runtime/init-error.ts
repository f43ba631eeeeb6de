// A failure of the container's init (stage 2), as it travels to the CLI over the control channel:
// what was being done, the syscall and errno, and the exit status docker would give.
import { SysError, describeErrno } from '../sys/libc.js';
import { sendSync, type Message } from './channel.js';

export interface InitErrorMessage extends Message {
  type: 'error';
  message: string;
  syscall?: string;
  path?: string;
  errno?: number;
  code?: string;
  exitCode: number;
  /** What the user can do, when the stage knows better than the CLI's default for the exit code. */
  remedy?: string;
}

export class InitError extends Error {
  constructor(
    message: string,
    readonly exitCode = 125,
    readonly sysError?: SysError,
    readonly remedy?: string,
  ) {
    super(message);
  }

  toMessage(): InitErrorMessage {
    const sys = this.sysError;
    return { type: 'error', message: this.message, exitCode: this.exitCode, syscall: sys?.syscall, path: sys?.path, errno: sys?.errno, code: sys?.code, remedy: this.remedy };
  }
}

/** Node's fs errors carry a negative errno, the syscall and the path: the same facts as a SysError. */
function asSysError(error: unknown): SysError | undefined {
  if (error instanceof SysError) return error;
  const nodeError = error as NodeJS.ErrnoException;
  if (typeof nodeError?.errno === 'number' && nodeError.syscall) return new SysError(nodeError.syscall, Math.abs(nodeError.errno), nodeError.path);
  return undefined;
}

/** Runs one setup step; a failed syscall becomes "<what>: <strerror> (<ERRNO>)". */
export function step<T>(what: string, action: () => T, exitCodeFor: (error: SysError) => number = () => 125): T {
  try {
    return action();
  } catch (error) {
    if (error instanceof InitError) throw error;
    const sys = asSysError(error);
    if (sys) throw new InitError(`${what}: ${describeErrno(sys.errno)}`, exitCodeFor(sys), sys);
    throw new InitError(`${what}: ${(error as Error).message}`);
  }
}

/** Runs a stage's main (stage 2, the exec stage): a failure goes to the CLI and is the exit status. */
export async function runStage(main: () => Promise<never>, what: string): Promise<never> {
  try {
    return await main();
  } catch (error) {
    const failure = error instanceof InitError ? error : new InitError(`${what}: ${(error as Error).message}`);
    try {
      sendSync(failure.toMessage());
    } catch {
      // the CLI is gone; nobody to tell
    }
    process.exit(failure.exitCode);
  }
}
