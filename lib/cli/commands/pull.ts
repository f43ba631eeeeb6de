import type { CommandModule } from 'yargs';
import { mark } from '../../timing.js';

interface PullArgs {
  image: string;
  quiet?: boolean;
  platform?: string;
  'tls-verify'?: boolean;
}

export const pullCommand: CommandModule<object, PullArgs> = {
  command: 'pull <image>',
  describe: 'Download an image from a registry',
  builder: (yargs) =>
    yargs
      .positional('image', { type: 'string', demandOption: true, describe: 'NAME[:TAG] or NAME@DIGEST' })
      .option('quiet', { alias: 'q', type: 'boolean', describe: 'Print only the image id' })
      .option('platform', { type: 'string', describe: 'os/arch[/variant] to pull from a multi-platform image' })
      .option('tls-verify', { type: 'boolean', describe: 'Require HTTPS and verify certificates (default: true)' }),
  handler: async (args) => {
    mark('yargs parsed');
    const { pullImage } = await import('../../image/pull.js');
    const image = await pullImage(args.image, { quiet: args.quiet, platform: args.platform, tlsVerify: args['tls-verify'] });
    process.stdout.write(`${image.id}\n`);
  },
};
