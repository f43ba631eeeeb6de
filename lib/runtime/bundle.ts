// A container's directories on the CLI side: the bundle (runtimeDir()/containers/<id>: config.json,
// rootfs/, the generated /etc files, state.json) and the storage (storeDir()/containers/<id>:
// OverlayFS upper/ and work/). Both belong to the container's root (the user, or for real root the
// first id of its range), so stage 2 can read and mount them.
import { chownSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { RootlessError } from '../errors.js';
import { runtimeDir, storeDir } from '../paths.js';
import type { ContainerPaths } from '../spec/build.js';
import type { RuntimeSpec } from '../spec/oci.js';
import { namespaceRootIds, type UserNamespacePlan } from './idmap.js';
import { removeAsNamespaceRoot } from './remove.js';
import { readContainerStates, stateFile, writeFileAtomic, type ContainerState } from '../container/state.js';
import { makeParents } from './container-paths.js';

const namePattern = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

function nameInUse(name: string, owner: ContainerState): RootlessError {
  return new RootlessError(`the container name "${name}" is already in use by container ${owner.id.slice(0, 12)}`, {
    remedy: 'Choose another --name, or remove that container',
  });
}

/** Docker's rule: a name is unique among existing containers (a generated one too). */
export function checkName(name: string): void {
  if (!namePattern.test(name)) {
    throw new RootlessError(`invalid container name "${name}"`, { remedy: 'Use letters, digits, _ . and -, starting with a letter or digit' });
  }
  const owner = readContainerStates().find((state) => state.name === name);
  if (owner) throw nameInUse(name, owner);
}

/**
 * After state.json is written, without a lock: of two runs that passed checkName() with the same
 * name at once, the one created first (then the smaller id) keeps it; each sees the other's record.
 */
export function confirmName(state: ContainerState): void {
  const earlier = readContainerStates().find(
    (other) => other.name === state.name && other.id !== state.id && (other.created < state.created || (other.created === state.created && other.id < state.id)),
  );
  if (earlier) throw nameInUse(state.name, earlier);
}

function makeOwnedDir(dir: string, owner: { uid: number; gid: number }, mode = 0o700): void {
  mkdirSync(dir, { mode, recursive: true }); // a detached container's bundle exists already: it holds the log
  if (process.getuid?.() === 0) chownSync(dir, owner.uid, owner.gid);
}

/**
 * For real root the container's root is an ordinary id (ROOT_DEFAULT_RANGE): stage 2 mounts the overlay as it,
 * so every directory above the layers, upper/ and the bundle must let others search them.
 */
function checkSearchable(dirs: string[], owner: { uid: number }): void {
  const seen = new Set<string>();
  for (const start of dirs) {
    for (let dir = start; !seen.has(dir) && dir !== path.dirname(dir); dir = path.dirname(dir)) {
      seen.add(dir);
      const stats = statSync(dir, { throwIfNoEntry: false });
      if (!stats || stats.uid === owner.uid || stats.mode & 0o001) continue;
      throw new RootlessError(`${dir} cannot be searched by the container's root (uid ${owner.uid})`, { remedy: `Allow it: chmod o+x ${dir}` });
    }
  }
}

/** Creates both directories and writes the bundle (hosts and resolv.conf come from the network: network-setup.ts); on failure leaves nothing behind. */
export function createContainer(spec: RuntimeSpec, paths: ContainerPaths, state: ContainerState, plan: UserNamespacePlan): void {
  const owner = namespaceRootIds(plan);
  // ID-mapped layers are opened by the CLI: only the unmapped ones must be reachable by the container's root
  const layers = paths.layerMounts ? [] : paths.layers;
  if (process.getuid?.() === 0) checkSearchable([...layers, paths.storageDir, paths.bundleDir], owner);
  makeParents([paths.storageDir, paths.bundleDir]);
  try {
    for (const dir of [paths.storageDir, `${paths.storageDir}/work`, paths.bundleDir]) makeOwnedDir(dir, owner);
    makeOwnedDir(`${paths.storageDir}/upper`, owner, 0o755); // the mode of the container's "/"
    mkdirSync(path.join(paths.bundleDir, 'rootfs'), { mode: 0o755 });
    writeFileSync(path.join(paths.bundleDir, 'hostname'), `${spec.hostname}\n`);
    writeFileSync(path.join(paths.bundleDir, 'config.json'), JSON.stringify(spec, null, 2));
    writeFileAtomic(stateFile(paths.bundleDir), JSON.stringify(state)); // ps may be reading
  } catch (error) {
    rmSync(paths.storageDir, { recursive: true, force: true });
    rmSync(paths.bundleDir, { recursive: true, force: true });
    throw new RootlessError(`cannot create the container's directories: ${(error as Error).message}`, {
      remedy: `Check that ${storeDir()} and ${runtimeDir()} are writable`,
      cause: error,
    });
  }
}

/** Removes the container's writable layer and its state. */
export async function removeContainer(paths: ContainerPaths, plan: UserNamespacePlan): Promise<void> {
  await removeAsNamespaceRoot([paths.storageDir], plan);
  rmSync(paths.bundleDir, { recursive: true, force: true });
}
