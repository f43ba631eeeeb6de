import type { CommandModule } from 'yargs';

interface UnshareArgs {
  args: string[];
  '--'?: string[];
}

export const unshareCommand: CommandModule<object, UnshareArgs> = {
  command: 'unshare [args..]',
  describe: 'Run a command (default $SHELL) as root of the user namespace that owns the store',
  builder: (yargs) =>
    yargs.positional('args', { type: 'string', array: true, default: [] as string[] }).parserConfiguration({ 'unknown-options-as-args': true, 'populate--': true }),
  handler: async (args) => {
    const { runUnshared } = await import('../../runtime/unshare.js');
    process.exitCode = await runUnshared([...args.args, ...(args['--'] ?? [])].map(String));
  },
};
