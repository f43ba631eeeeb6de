import type { CommandModule } from 'yargs';

interface WaitArgs {
  containers: string[];
}

export const waitCommand: CommandModule<object, WaitArgs> = {
  command: 'wait <containers..>',
  describe: 'Wait until containers exit; print their exit codes',
  builder: (yargs) => yargs.positional('containers', { type: 'string', array: true, demandOption: true, describe: 'container names or ids' }),
  handler: async (args) => {
    const [{ eachContainer }, { waitContainer }] = await Promise.all([import('../each-container.js'), import('../../container/stop.js')]);
    process.exitCode = await eachContainer(args.containers.map(String), async (view) => String(await waitContainer(view)));
  },
};
