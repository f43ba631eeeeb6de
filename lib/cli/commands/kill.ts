import type { CommandModule } from 'yargs';

interface KillArgs {
  containers: string[];
  signal: string;
}

export const killCommand: CommandModule<object, KillArgs> = {
  command: 'kill <containers..>',
  describe: "Send a signal to containers' PID 1 (default SIGKILL)",
  builder: (yargs) =>
    yargs
      .positional('containers', { type: 'string', array: true, demandOption: true, describe: 'container names or ids' })
      .option('signal', { alias: 's', type: 'string', default: 'KILL', describe: 'Signal name or number' }),
  handler: async (args) => {
    const [{ eachContainer }, { killContainer }] = await Promise.all([import('../each-container.js'), import('../../container/stop.js')]);
    process.exitCode = await eachContainer(args.containers.map(String), async (view, name) => {
      killContainer(view, args.signal);
      return name;
    }, true);
  },
};
