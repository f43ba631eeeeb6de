import type { CommandModule } from 'yargs';

interface ImagesArgs {
  quiet?: boolean;
  format?: string;
  digests?: boolean;
}

export const imagesCommand: CommandModule<object, ImagesArgs> = {
  command: 'images',
  describe: 'List the images in the store',
  builder: (yargs) =>
    yargs
      .option('quiet', { alias: 'q', type: 'boolean', describe: 'Print only image ids' })
      .option('format', { type: 'string', describe: 'json' })
      .option('digests', { type: 'boolean', describe: 'Show manifest digests' }),
  handler: async (args) => {
    const [{ openStore }, { listImages }] = await Promise.all([import('../../image/store.js'), import('../../image/list.js')]);
    const store = await openStore();
    process.stdout.write(listImages(await store.listImages(), args));
  },
};
