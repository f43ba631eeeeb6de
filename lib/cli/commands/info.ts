// `rootless info [--format json]`: the host as rootless sees it.
import type { CommandModule } from 'yargs';
import { outputFormat } from '../format.js';

interface InfoArgs {
  format?: string;
}

export const infoCommand: CommandModule<object, InfoArgs> = {
  command: 'info',
  describe: 'Show how this host is set up for rootless containers',
  builder: (yargs) =>
    yargs.option('format', { alias: 'f', type: 'string', describe: 'Output format: json (default: text)' }),
  handler: async (args) => {
    const format = outputFormat(args.format);
    const { collectInfo, formatInfo } = await import('../../doctor/info.js');
    const info = await collectInfo();
    process.stdout.write(format === 'json' ? `${JSON.stringify(info, null, 2)}\n` : `${formatInfo(info)}\n`);
  },
};
