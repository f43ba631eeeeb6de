import type { CommandModule } from 'yargs';

interface StartArgs {
  containers: string[];
  attach?: boolean;
}

export const startCommand: CommandModule<object, StartArgs> = {
  command: 'start <containers..>',
  describe: 'Start stopped containers again, in the background (-a: follow the output and return the exit code)',
  builder: (yargs) =>
    yargs
      .positional('containers', { type: 'string', array: true, demandOption: true, describe: 'container names or ids' })
      .option('attach', { alias: 'a', type: 'boolean', describe: "Print the container's output until it exits; exit with its code" }),
  handler: async (args) => {
    const [{ eachContainer }, { startContainer }, { logSize }, { attachUntilExit }] = await Promise.all([
      import('../each-container.js'),
      import('../../runtime/start.js'),
      import('../../container/logs.js'),
      import('../../container/stop.js'),
    ]);
    const attached: Array<{ id: string; offset: number }> = [];
    process.exitCode = await eachContainer(args.containers.map(String), async (view, name) => {
      const offset = logSize(view.state);
      await startContainer(view);
      if (!args.attach) return name;
      attached.push({ id: view.state.id, offset });
      return undefined;
    }, true);
    // outside the container's lock: `stop` and `kill` must reach it meanwhile
    for (const { id, offset } of attached) {
      const status = await attachUntilExit(id, offset, (chunk) => process.stdout.write(chunk));
      if (process.exitCode === 0) process.exitCode = status;
    }
  },
};
