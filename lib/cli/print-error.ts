// Every failure becomes one line on stderr with Docker's exit codes (125 for errors of the tool).
import { RootlessError, EXIT_TOOL } from '../errors.js';

export function printError(error: unknown): number {
  if (error instanceof RootlessError) {
    process.stderr.write(`Error: ${error.line}\n`);
    if (process.env.ROOTLESS_DEBUG && error.cause) console.error(error.cause);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`Error: ${message.split('\n')[0]}\n`);
  if (process.env.ROOTLESS_DEBUG && error instanceof Error) console.error(error.stack);
  return EXIT_TOOL;
}
