// Removal of trees that hold files of subordinate ids: the user cannot remove those from the host,
// the root of a user namespace with the same mapping can.
import { rmSync } from 'node:fs';
import { RootlessError, errnoCode } from '../errors.js';
import type { UserNamespacePlan } from './idmap.js';
import { launchInNamespaces } from './launcher.js';

/** Removes a directory whose files may belong to subordinate ids (then only the namespace's root can). */
export async function removeTree(dir: string, plan: UserNamespacePlan): Promise<void> {
  try {
    rmSync(dir, { recursive: true, force: true });
    return;
  } catch (error) {
    if (errnoCode(error) !== 'EACCES' && errnoCode(error) !== 'EPERM') throw error;
  }
  const { exited } = await launchInNamespaces({ namespaces: ['user'], plan, argv: ['rm', '-rf', '--', dir], stdio: ['ignore', 'ignore', 'inherit'] });
  const status = await exited;
  if (status !== 0) throw new RootlessError(`cannot remove ${dir} (rm exited with ${status})`, { remedy: `Remove it with: rootless unshare rm -rf ${dir}` });
}

