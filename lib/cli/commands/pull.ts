import type { Argv, CommandModule } from 'yargs';
import { printError } from '../print-error.js';
import { parseFlags, wantsHelp, type CommandFlag } from '../../spec/flag-parser.js';
import { mark } from '../../timing.js';

interface PullArgs {
  image: string;
  quiet?: boolean;
  platform?: string;
  'tls-verify'?: boolean;
}

const pullFlags: readonly CommandFlag<PullArgs>[] = [
  { name: 'quiet', key: 'quiet', alias: 'q', type: 'boolean', describe: 'Print only the image id' },
  { name: 'platform', key: 'platform', type: 'string', describe: 'os/arch[/variant] to pull from a multi-platform image' },
  { name: 'tls-verify', key: 'tls-verify', type: 'boolean', describe: 'Require HTTPS and verify certificates (default: true)' },
];

/**
 * `pull`'s arguments for the fast path that skips yargs (~150 ms to load here): flags before and
 * after the one image, as run's parser reads them. Undefined when in doubt (help, a flag error, a
 * second operand), so yargs stays the one voice for help, errors and suggestions.
 */
export function parsePullArgs(args: string[]): PullArgs | undefined {
  if (wantsHelp(args)) return undefined;
  const options: Record<string, unknown> = {};
  try {
    const operand = parseFlags(args, pullFlags, options, 'pull');
    const rest = args.slice(operand + 1);
    if (operand >= args.length || rest.includes('--') || parseFlags(rest, pullFlags, options, 'pull') !== rest.length) return undefined;
    return { ...(options as Omit<PullArgs, 'image'>), image: args[operand]! };
  } catch {
    return undefined;
  }
}

async function pull(args: PullArgs): Promise<void> {
  mark('arguments parsed');
  const { pullImage } = await import('../../image/pull.js');
  const image = await pullImage(args.image, { quiet: args.quiet, platform: args.platform, tlsVerify: args['tls-verify'] });
  process.stdout.write(`${image.id}\n`);
}

/** `rootless pull …` without yargs (entry.ts); undefined when the arguments need yargs. */
export async function pullFast(args: string[]): Promise<number | undefined> {
  const parsed = parsePullArgs(args);
  if (!parsed) return undefined;
  try {
    await pull(parsed);
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
