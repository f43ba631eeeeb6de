// `rootless unshare`: a command (default $SHELL) as root of the user namespace the store's files
// were unpacked with, so subordinate-owned files can be inspected, changed and removed.
import { defaultUserNamespace } from './idmap.js';
import { launchInNamespaces } from './launcher.js';

/** Runs argv with the terminal; resolves with its exit status. */
export async function runUnshared(argv: string[]): Promise<number> {
  const plan = defaultUserNamespace();
  if (plan.warning) process.stderr.write(`Warning: ${plan.warning}\n`);
  const command = argv.length > 0 ? argv : [process.env.SHELL || '/bin/sh'];
  // the terminal's ^C is the command's to handle; the CLI must not die of it and take it along
  const ignore = () => undefined;
  process.on('SIGINT', ignore);
  process.on('SIGQUIT', ignore);
  const { exited } = await launchInNamespaces({
    namespaces: ['user', 'mount'],
    plan,
    argv: command,
    stdio: ['inherit', 'inherit', 'inherit'],
  });
  try {
    return await exited;
  } finally {
    process.off('SIGINT', ignore);
    process.off('SIGQUIT', ignore);
  }
}
