// The CLI entry: yargs parses, a command handler runs, and every failure becomes one line on stderr
// with Docker's exit codes (125 for errors of the tool itself).
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { RootlessError } from '../errors.js';
import { commands } from './commands/index.js';
import { printError } from './print-error.js';
import { version } from './version.js';

function buildParser(argv: string[]): Argv {
  let parser = yargs(argv)
    .scriptName('rootless')
    .usage('Usage: $0 <command> [options]\n\nRun OCI containers as an ordinary user, without a daemon.')
    .version(version)
    .help()
    .alias('h', 'help')
    .strict()
    .demandCommand(1, 'Name a command; `rootless --help` lists them.')
    .recommendCommands()
    .parserConfiguration({ 'halt-at-non-option': false })
    .wrap(Math.min(100, process.stdout.columns || 100))
    .fail((message, error) => {
      if (error) throw error;
      throw new RootlessError(message ?? 'invalid command line', { remedy: 'See `rootless --help`' });
    });
  for (const command of commands) parser = parser.command(command);
  return parser;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildParser(argv).parseAsync();
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    return printError(error);
  }
}

process.exitCode = await main(hideBin(process.argv));
