import type { CommandModule } from 'yargs';

interface TopArgs {
  container: string;
}

export const topCommand: CommandModule<object, TopArgs> = {
  command: 'top <container>',
  describe: "List a running container's processes (host pids)",
  builder: (yargs) => yargs.positional('container', { type: 'string', demandOption: true, describe: 'container name or id' }),
  handler: async (args) => {
    const [{ findContainerView }, { topText }, { RootlessError }] = await Promise.all([
      import('../../container/view.js'),
      import('../../container/top.js'),
      import('../../errors.js'),
    ]);
    const view = await findContainerView(args.container);
    if (view.status !== 'running') throw new RootlessError(`container ${view.state.name} is not running`, { remedy: `Start it first: rootless start ${view.state.name}` });
    process.stdout.write(topText(view.state));
  },
};
