// `rootless exec [flags] CONTAINER COMMAND [ARG…]`. yargs only shows --help from the flag table;
// the arguments are parsed by parseExecArgs (entry.ts calls execCommand without loading yargs).
import type { Argv, CommandModule } from 'yargs';
import { printError } from '../print-error.js';
import { execFlags, parseExecArgs } from '../../spec/exec-options.js';

/** Runs a command in a running container from the arguments after `exec`; resolves with its exit status. */
export async function execCommand(args: string[]): Promise<number> {
  try {
    const options = parseExecArgs(args);
    const { execInContainer } = await import('../../runtime/exec.js');
    return await execInContainer(options);
  } catch (error) {
    return printError(error);
  }
}

export const execCommandModule: CommandModule = {
  command: 'exec <container> <command..>',
  describe: 'Run a command in a running container',
  builder: (yargs: Argv) => {
    let parser = yargs.strict(false); // parseExecArgs checks the flags and stops at the container
    for (const flag of execFlags) {
      parser = parser.option(flag.name, { alias: flag.alias, type: flag.type, describe: flag.describe });
    }
    return parser;
  },
  handler: async () => {
    const raw = process.argv.slice(2);
    process.exitCode = await execCommand(raw.slice(raw.indexOf('exec') + 1));
  },
};
