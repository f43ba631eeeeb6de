// The executable's entry. `rootless run` skips yargs, whose loading costs more than the rest of a
// container start on a small machine (~140 ms here), and so do `rootless exec` (yargs would also
// take the command's own flags for its) and a plain `rootless pull`; other commands, --help and
// anything the fast paths do not understand go to main.ts.
// `rootless unshare CMD…` skips it too: every word after `unshare` is the command's own, and yargs
// would take a --help or --version among them for itself and run nothing.
import { wantsHelp } from '../spec/run-options.js';
import { mark } from '../timing.js';

mark('node started', performance.timeOrigin);
mark('entry');

const args = process.argv.slice(2);

async function fastPull(pullArgs: string[]): Promise<boolean> {
  const status = await (await import('./commands/pull.js')).pullFast(pullArgs);
  if (status === undefined) return false;
  process.exitCode = status;
  return true;
}

if (args[0] === 'run' && !wantsHelp(args.slice(1))) {
  const { runCommand } = await import('./commands/run.js');
  // exit at once: nothing is pending (stderr is synchronous on pipes, files and terminals)
  process.exit(await runCommand(args.slice(1)));
} else if (args[0] === 'exec' && !wantsHelp(args.slice(1))) {
  const { execCommand } = await import('./commands/exec.js');
  process.exit(await execCommand(args.slice(1)));
} else if (args[0] === 'pull' && (await fastPull(args.slice(1)))) {
  // done: a plain `pull` needs no yargs
} else if (args[0] === 'unshare' && args.length > 1 && !wantsHelp(args.slice(1, 2))) {
  const [{ runUnshared }, { printError }] = await Promise.all([import('../runtime/unshare.js'), import('./print-error.js')]);
  const command = args[1] === '--' ? args.slice(2) : args.slice(1);
  process.exitCode = await runUnshared(command).catch(printError);
} else {
  await import('./main.js');
}
