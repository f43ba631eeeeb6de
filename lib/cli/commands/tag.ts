import type { CommandModule } from 'yargs';

interface TagArgs {
  source: string;
  target: string;
}

export const tagCommand: CommandModule<object, TagArgs> = {
  command: 'tag <source> <target>',
  describe: 'Give an image another name',
  builder: (yargs) =>
    yargs
      .positional('source', { type: 'string', demandOption: true, describe: 'image name or id' })
      .positional('target', { type: 'string', demandOption: true, describe: 'NAME[:TAG]' }),
  handler: async (args) => {
    const { openStore } = await import('../../image/store.js');
    await (await openStore()).tag(args.source, args.target);
  },
};
