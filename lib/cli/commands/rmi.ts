import type { CommandModule } from 'yargs';

interface RmiArgs {
  images: string[];
  force?: boolean;
  all?: boolean;
}

export const rmiCommand: CommandModule<object, RmiArgs> = {
  command: 'rmi [images..]',
  describe: 'Remove images (a name untags; the image goes when no name is left)',
  builder: (yargs) =>
    yargs
      .positional('images', { type: 'string', array: true, default: [] as string[] })
      .option('force', { alias: 'f', type: 'boolean', describe: 'Remove an image by id even when it has names in several repositories or containers use it' })
      .option('all', { alias: 'a', type: 'boolean', describe: 'Remove every image' }),
  handler: async (args) => {
    const { removeImages } = await import('../../image/remove.js');
    await removeImages(args.images, { force: args.force, all: args.all });
  },
};
