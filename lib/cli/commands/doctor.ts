// `rootless doctor [--format json]`: checks the host and prints the exact command fixing each problem.
import type { CommandModule } from 'yargs';
import { outputFormat } from '../format.js';

interface DoctorArgs {
  format?: string;
}

export const doctorCommand: CommandModule<object, DoctorArgs> = {
  command: 'doctor',
  describe: 'Check the host for what rootless containers need, with a fix for each problem (exit 1 if any check fails)',
  builder: (yargs) =>
    yargs.option('format', { alias: 'f', type: 'string', describe: 'Output format: json (default: one line per check)' }),
  handler: async (args) => {
    const format = outputFormat(args.format);
    const { formatCheck, runDoctor } = await import('../../doctor/checks.js');
    const results = await runDoctor();
    if (format === 'json') process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    else for (const result of results) process.stdout.write(`${formatCheck(result)}\n`);
    if (results.some((result) => result.status === 'fail')) process.exitCode = 1;
  },
};
