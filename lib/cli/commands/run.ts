// `rootless run [flags] IMAGE [COMMAND [ARG…]]`. yargs only shows --help from the flag table;
// the arguments are parsed by parseRunArgs (entry.ts calls runCommand without loading yargs).
import type { Argv, CommandModule } from 'yargs';
import { printError } from '../print-error.js';
import { parseRunArgs, runFlags } from '../../spec/run-options.js';

/** Runs a container from the arguments after `run`; resolves with the exit status. */
export async function runCommand(args: string[]): Promise<number> {
  try {
    const options = parseRunArgs(args);
    const { runContainer } = await import('../../runtime/run.js');
    return await runContainer(options);
  } catch (error) {
    return printError(error);
  }
}

export const runCommandModule: CommandModule = {
  command: 'run <image> [command..]',
  describe: 'Run a command in a new container',
  builder: (yargs: Argv) => {
    let parser = yargs.strict(false); // parseRunArgs checks the flags and stops at the image
    for (const flag of runFlags) {
      parser = parser.option(flag.name, {
        alias: flag.alias,
        type: flag.type,
        choices: flag.choices as string[] | undefined,
        describe: flag.describe,
      });
    }
    return parser;
  },
  handler: async () => {
    const raw = process.argv.slice(2);
    process.exitCode = await runCommand(raw.slice(raw.indexOf('run') + 1));
  },
};
