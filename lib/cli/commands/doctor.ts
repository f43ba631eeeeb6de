// `rootless doctor`: checks the host and prints the exact command fixing each problem.
import type { CommandModule } from 'yargs';

export const doctorCommand: CommandModule<object, object> = {
  command: 'doctor',
  describe: 'Check the host for what rootless containers need, with a fix for each problem (exit 1 if any check fails)',
  handler: async () => {
    const { formatCheck, runDoctor } = await import('../../doctor/checks.js');
    const results = await runDoctor();
    for (const result of results) process.stdout.write(`${formatCheck(result)}\n`);
    if (results.some((result) => result.status === 'fail')) process.exitCode = 1;
  },
};
