// Only `rootless unshare` alone and its --help come here: entry.ts hands `unshare CMD…` to
// runUnshared directly, so that the command's own options stay the command's.
import type { CommandModule } from 'yargs';

interface UnshareArgs {
  command: string[];
}

export const unshareCommand: CommandModule<object, UnshareArgs> = {
  command: 'unshare [command..]',
  describe: 'Run a command (default $SHELL) as root of the user namespace that owns the store',
  builder: (yargs) => yargs.positional('command', { type: 'string', array: true, default: [] as string[], describe: 'The command and its arguments' }),
  handler: async (args) => {
    const { runUnshared } = await import('../../runtime/unshare.js');
    process.exitCode = await runUnshared(args.command.map(String));
  },
};
