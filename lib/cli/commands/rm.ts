import type { CommandModule } from 'yargs';

interface RmArgs {
  containers: string[];
  force?: boolean;
  volumes?: boolean;
}

export const rmCommand: CommandModule<object, RmArgs> = {
  command: 'rm <containers..>',
  describe: 'Remove containers (-f: running ones too)',
  builder: (yargs) =>
    yargs
      .positional('containers', { type: 'string', array: true, demandOption: true, describe: 'container names or ids' })
      .option('force', { alias: 'f', type: 'boolean', describe: 'Kill a running container first' })
      .option('volumes', { alias: 'v', type: 'boolean', describe: 'Accepted for docker compatibility (rootless has no anonymous volumes)' }),
  handler: async (args) => {
    const [{ eachContainer }, { removeContainer }] = await Promise.all([import('../each-container.js'), import('../../container/remove.js')]);
    process.exitCode = await eachContainer(args.containers.map(String), async (view, name) => {
      await removeContainer(view, args.force ?? false);
      return name;
    }, true);
  },
};
