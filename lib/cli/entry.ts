// The executable's entry. `rootless run` skips yargs, whose loading costs more than the rest of a
// container start on a small machine (~140 ms here); other commands and --help go to main.ts.
import { wantsHelp } from '../spec/run-options.js';

const args = process.argv.slice(2);
if (args[0] === 'run' && !wantsHelp(args.slice(1))) {
  const { runCommand } = await import('./commands/run.js');
  // exit at once: nothing is pending (stderr is synchronous on pipes, files and terminals)
  process.exit(await runCommand(args.slice(1)));
} else {
  await import('./main.js');
}
