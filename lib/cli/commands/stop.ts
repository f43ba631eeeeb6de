import type { CommandModule } from 'yargs';

interface StopArgs {
  containers: string[];
  time?: number;
}

export const stopCommand: CommandModule<object, StopArgs> = {
  command: 'stop <containers..>',
  describe: "Stop containers: the image's StopSignal (else SIGTERM), then SIGKILL after a timeout",
  builder: (yargs) =>
    yargs
      .positional('containers', { type: 'string', array: true, demandOption: true, describe: 'container names or ids' })
      .option('time', { alias: 't', type: 'number', default: 10, describe: 'Seconds to wait before SIGKILL' }),
  handler: async (args) => {
    const [{ eachContainer }, { stopContainer }] = await Promise.all([import('../each-container.js'), import('../../container/stop.js')]);
    process.exitCode = await eachContainer(args.containers.map(String), async (view, name) => {
      await stopContainer(view, args.time ?? 10);
      return name;
    }, true);
  },
};
