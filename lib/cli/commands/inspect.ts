import type { CommandModule } from 'yargs';

interface InspectArgs {
  containers: string[];
}

export const inspectCommand: CommandModule<object, InspectArgs> = {
  command: 'inspect <containers..>',
  describe: 'Show containers as a JSON array',
  builder: (yargs) => yargs.positional('containers', { type: 'string', array: true, demandOption: true, describe: 'container names or ids' }),
  handler: async (args) => {
    const [{ eachContainer }, { inspectRecord }] = await Promise.all([import('../each-container.js'), import('../../container/inspect.js')]);
    const records: Array<Record<string, unknown>> = [];
    process.exitCode = await eachContainer(args.containers.map(String), async (view) => {
      records.push(inspectRecord(view));
      return undefined;
    });
    process.stdout.write(JSON.stringify(records, null, 2) + '\n');
  },
};
