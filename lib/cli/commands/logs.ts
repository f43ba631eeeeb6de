import type { CommandModule } from 'yargs';

interface LogsArgs {
  container: string;
  follow?: boolean;
  tail?: string;
  timestamps?: boolean;
}

export const logsCommand: CommandModule<object, LogsArgs> = {
  command: 'logs <container>',
  describe: "Show a detached container's output",
  builder: (yargs) =>
    yargs
      .positional('container', { type: 'string', demandOption: true, describe: 'container name or id' })
      .option('follow', { alias: 'f', type: 'boolean', describe: 'Keep printing new output until the container exits' })
      .option('tail', { alias: 'n', type: 'string', describe: 'Only the last N lines (or all)' })
      .option('timestamps', { alias: 't', type: 'boolean', describe: 'Show the time of each line (RFC 3339 with nanoseconds, to the centisecond)' }),
  handler: async (args) => {
    const [{ findContainerView }, { parseTail, showLogs }] = await Promise.all([import('../../container/view.js'), import('../../container/logs.js')]);
    const view = await findContainerView(args.container);
    await showLogs(view.state, { follow: args.follow, tail: parseTail(args.tail), timestamps: args.timestamps }, (chunk) => process.stdout.write(chunk));
  },
};
