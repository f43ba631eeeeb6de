// Removing trees that hold files of subordinate ids (unpacked layers, temp dirs, container upper
// dirs): the user cannot unlink those from the host, but root of the user namespace can.
import fs from 'node:fs/promises';
import { RootlessError, errnoCode } from '../errors.js';
import { defaultUserNamespace, type UserNamespacePlan } from './idmap.js';
import { launchInNamespaces } from './launcher.js';

/**
 * Removes each path (recursively, missing ones are fine): plainly, else as root of a user namespace
 * with `plan`'s mapping (by default the store's, which a container of this user also has).
 */
export async function removeAsNamespaceRoot(paths: string[], plan: UserNamespacePlan = defaultUserNamespace()): Promise<void> {
  const stuck: string[] = [];
  for (const target of paths) {
    try {
      await fs.rm(target, { recursive: true, force: true });
    } catch (error) {
      if (errnoCode(error) !== 'EACCES' && errnoCode(error) !== 'EPERM') throw error;
      stuck.push(target);
    }
  }
  if (stuck.length === 0) return;
  const { exited, child } = await launchInNamespaces({
    namespaces: ['user'],
    plan,
    argv: ['rm', '-rf', '--', ...stuck],
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const status = await exited;
  if (status !== 0) {
    throw new RootlessError(`cannot remove ${stuck.join(', ')}: ${stderr.trim().split('\n')[0] ?? `rm exited with ${status}`}`, {
      remedy: 'Remove it with `rootless unshare rm -rf PATH`',
    });
  }
}
