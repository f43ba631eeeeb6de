// `rootless image SUBCOMMAND`: inspect and prune, and the podman-style aliases ls, rm, pull, tag.
import type { CommandModule } from 'yargs';
import { imagesCommand } from './images.js';
import { pullCommand } from './pull.js';
import { rmiCommand } from './rmi.js';
import { tagCommand } from './tag.js';

interface InspectArgs {
  images: string[];
}

const inspectCommand: CommandModule<object, InspectArgs> = {
  command: 'inspect <images..>',
  describe: 'Show images as JSON',
  builder: (yargs) => yargs.positional('images', { type: 'string', array: true, demandOption: true }),
  handler: async (args) => {
    const [{ openStore }, { inspectImages }] = await Promise.all([import('../../image/store.js'), import('../../image/list.js')]);
    process.stdout.write(await inspectImages(await openStore(), args.images.map(String)));
  },
};

interface PruneArgs {
  all?: boolean;
  force?: boolean;
}

const pruneCommand: CommandModule<object, PruneArgs> = {
  command: 'prune',
  describe: 'Remove images without a name (-a: every image no container uses) and unused layers',
  builder: (yargs) =>
    yargs
      .option('all', { alias: 'a', type: 'boolean', describe: 'Remove all unused images, not just dangling ones' })
      .option('force', { alias: 'f', type: 'boolean', describe: 'Do not ask for confirmation' }),
  handler: async (args) => {
    const [{ openStore }, { confirmPrune }] = await Promise.all([import('../../image/store.js'), import('../../image/remove.js')]);
    if (!args.force && !(await confirmPrune(args.all ?? false))) return;
    const deleted = await (await openStore()).prune({ all: args.all });
    process.stdout.write(deleted.map((id) => `${id.replace(/^sha256:/, '')}\n`).join(''));
  },
};

export const imageCommand: CommandModule = {
  command: 'image',
  describe: 'Manage images',
  builder: (yargs) =>
    yargs
      .command(inspectCommand)
      .command(pruneCommand)
      .command({ ...imagesCommand, command: 'ls', aliases: ['list'] })
      .command({ ...rmiCommand, command: 'rm [images..]' })
      .command(pullCommand)
      .command(tagCommand)
      .demandCommand(1, 'Name an image subcommand; `rootless image --help` lists them.'),
  handler: () => undefined,
};
