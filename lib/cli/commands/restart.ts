import type { CommandModule } from 'yargs';

interface RestartArgs {
  containers: string[];
  time?: number;
}

export const restartCommand: CommandModule<object, RestartArgs> = {
  command: 'restart <containers..>',
  describe: 'Stop containers (as `stop`) and start them again',
  builder: (yargs) =>
    yargs
      .positional('containers', { type: 'string', array: true, demandOption: true, describe: 'container names or ids' })
      .option('time', { alias: 't', type: 'number', default: 10, describe: 'Seconds to wait before SIGKILL' }),
  handler: async (args) => {
    const [{ eachContainer }, { stopContainer }, { startContainer }, { findContainerView }] = await Promise.all([
      import('../each-container.js'),
      import('../../container/stop.js'),
      import('../../runtime/start.js'),
      import('../../container/view.js'),
    ]);
    process.exitCode = await eachContainer(args.containers.map(String), async (view, name) => {
      await stopContainer(view, args.time ?? 10);
      await startContainer(await findContainerView(view.state.id));
      return name;
    }, true);
  },
};
