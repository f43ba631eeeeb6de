import type { CommandModule } from 'yargs';

interface PsArgs {
  all?: boolean;
  quiet?: boolean;
  format?: string;
}

export const psCommand: CommandModule<object, PsArgs> = {
  command: 'ps',
  describe: 'List containers (running ones; -a: all)',
  builder: (yargs) =>
    yargs
      .option('all', { alias: 'a', type: 'boolean', describe: 'Show every container, not only running ones' })
      .option('quiet', { alias: 'q', type: 'boolean', describe: 'Only show the ids' })
      .option('format', { type: 'string', describe: 'json for a JSON array' }),
  handler: async (args) => {
    const [{ viewContainers }, { formatPs }, { outputFormat }] = await Promise.all([
      import('../../container/view.js'),
      import('../../container/ps.js'),
      import('../format.js'),
    ]);
    const format = outputFormat(args.format);
    process.stdout.write(formatPs(await viewContainers(), { all: args.all, quiet: args.quiet, format }));
  },
};
