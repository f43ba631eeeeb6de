import type { Argv, CommandModule } from 'yargs';
import { printError } from '../print-error.js';
import { parseSimpleArgs, type SimpleFlag } from '../simple-args.js';
import { mark } from '../../timing.js';

const pullFlags: readonly SimpleFlag[] = [
  { name: 'quiet', alias: 'q', type: 'boolean', describe: 'Print only the image id' },
  { name: 'platform', type: 'string', describe: 'os/arch[/variant] to pull from a multi-platform image' },
  { name: 'tls-verify', type: 'boolean', describe: 'Require HTTPS and verify certificates (default: true)' },
];

interface PullArgs {
  image: string;
  quiet?: boolean;
  platform?: string;
  'tls-verify'?: boolean;
}

async function pull(args: PullArgs): Promise<void> {
  mark('arguments parsed');
  const { pullImage } = await import('../../image/pull.js');
  const image = await pullImage(args.image, { quiet: args.quiet, platform: args.platform, tlsVerify: args['tls-verify'] });
  process.stdout.write(`${image.id}\n`);
}

/** `rootless pull …` without yargs (entry.ts); undefined when the arguments need yargs. */
export async function pullFast(args: string[]): Promise<number | undefined> {
  const parsed = parseSimpleArgs(args, pullFlags, 1);
  if (!parsed) return undefined;
  try {
    await pull({ ...(parsed.flags as Omit<PullArgs, 'image'>), image: parsed.positionals[0]! });
    return 0;
  } catch (error) {
    return printError(error);
  }
}

export const pullCommand: CommandModule<object, PullArgs> = {
  command: 'pull <image>',
  describe: 'Download an image from a registry',
  builder: (yargs) => {
    let parser: Argv = yargs.positional('image', { type: 'string', demandOption: true, describe: 'NAME[:TAG] or NAME@DIGEST' });
    for (const flag of pullFlags) parser = parser.option(flag.name, { alias: flag.alias, type: flag.type, describe: flag.describe });
    return parser as Argv<PullArgs>;
  },
  handler: pull,
};
