// The store's filesystem: where layers, upper dirs and blobs live. Network filesystems break
// overlayfs and subordinate ownership; the probes say what this kernel does on this filesystem.
import { existsSync, lstatSync, readdirSync, realpathSync, statfsSync } from 'node:fs';
import path from 'node:path';
import { HOST_ID_LAYERS_MARKER } from '../image/layer-format.js';
import { storeDir } from '../paths.js';
import type { UserIdentity } from '../runtime/idmap.js';
import { humanSize, isNetworkFilesystem, mountContaining, type MountEntry } from './parse.js';
import { isWritable } from './read.js';
import type { CheckResult, HostInfo, IdmapProbeInfo, LayerStrategy, StoreInfo } from './types.js';

const SIZE_WALK_LIMIT = 200_000;
const LOW_SPACE_BYTES = 2 * 1024 ** 3;

/** du: bytes on disk under `root`, hard links once, bounded to SIZE_WALK_LIMIT entries. */
export function diskUsage(root: string): NonNullable<StoreInfo['size']> {
  const seen = new Set<string>();
  const pending = [root];
  let bytes = 0;
  let files = 0;
  let complete = true;
  while (pending.length > 0) {
    if (files >= SIZE_WALK_LIMIT) {
      complete = false;
      break;
    }
    const current = pending.pop()!;
    let stats;
    try {
      stats = lstatSync(current);
    } catch {
      complete = false;
      continue;
    }
    files++;
    const key = `${stats.dev}:${stats.ino}`;
    if (stats.nlink > 1 && !stats.isDirectory()) {
      if (seen.has(key)) continue;
      seen.add(key);
    }
    bytes += stats.blocks * 512;
    if (!stats.isDirectory()) continue;
    try {
      for (const name of readdirSync(current)) pending.push(path.join(current, name));
    } catch {
      complete = false; // a layer directory owned by a subordinate id, mode 0700
    }
  }
  return { bytes, files, complete };
}

export function gatherStore(mounts: MountEntry[], user: UserIdentity, options: { size: boolean }, env: NodeJS.ProcessEnv = process.env): StoreInfo {
  const store = storeDir(env);
  let checkedPath = store;
  while (!existsSync(checkedPath)) checkedPath = path.dirname(checkedPath);
  const real = realpathSync(checkedPath);
  const mount = mountContaining(mounts, real);
  let availableBytes: number | null = null;
  try {
    const stats = statfsSync(real);
    availableBytes = stats.bavail * stats.bsize;
  } catch {
    availableBytes = null;
  }
  const exists = checkedPath === store;
  return {
    path: store,
    exists,
    checkedPath,
    writable: isWritable(checkedPath),
    filesystem: mount?.fstype ?? 'unknown',
    mountPoint: mount?.mountPoint ?? '/',
    mountOptions: mount?.options ?? [],
    availableBytes,
    size: exists && options.size ? diskUsage(store) : null,
    localAlternative: localStoreSuggestion(mounts, user),
    untraversable: user.uid === 0 ? firstUntraversable(checkedPath) : null,
  };
}

/** The outermost directory on the way to `dir` without the o+x bit. */
function firstUntraversable(dir: string): string | null {
  const parts = path.resolve(dir).split('/').filter(Boolean);
  for (let depth = 1; depth <= parts.length; depth++) {
    const current = `/${parts.slice(0, depth).join('/')}`;
    try {
      if ((lstatSync(current).mode & 0o001) === 0) return current;
    } catch {
      return null;
    }
  }
  return null;
}

/** A store location on a local filesystem, to suggest when the current one cannot work. */
function localStoreSuggestion(mounts: MountEntry[], user: UserIdentity): string {
  const varTmp = mountContaining(mounts, '/var/tmp');
  const local = varTmp && !isNetworkFilesystem(varTmp.fstype) && !['tmpfs', 'overlay'].includes(varTmp.fstype);
  return local ? `/var/tmp/rootless-${user.name}` : '/path/on/a/local/disk';
}

/** Root's store with layers but without the marker of host-id layers (see lib/image/layer-format.ts). */
export function holdsLegacyLayers(store: string): boolean {
  if (existsSync(path.join(store, HOST_ID_LAYERS_MARKER))) return false;
  try {
    return readdirSync(path.join(store, 'layers')).length > 0;
  } catch {
    return false;
  }
}

/**
 * Real root stores each layer once with its real owners and mounts it into every container
 * ID-mapped to that container's range; a user's store holds layers unpacked inside the user's
 * namespace (ext4 and the like cannot be ID-mapped without root). `legacyStore`: root's store
 * holds layers unpacked the old way (no format marker), which `run` refuses.
 */
export function layerStrategy(root: boolean, idmap: IdmapProbeInfo[] | null, legacyStore = false): LayerStrategy | null {
  const store = idmap?.find((probe) => probe.target === 'store');
  if (!store) return null;
  if (root) {
    const how = 'layers stored once, owned by their real ids (0…) on disk, mounted into each container ID-mapped to its own range (no chown, no copy)';
    const state = !store.works
      ? `; but ID-mapping ${store.filesystem} failed (${store.error}), so containers cannot start from this store: move it (ROOTLESS_STORE) to ext4, xfs, btrfs or tmpfs`
      : legacyStore
        ? '; this store still holds layers unpacked by an older rootless: rootless rmi --all --force, then pull again'
        : `; ${store.filesystem} allows it`;
    return { mode: 'idmapped', reason: how + state };
  }
  return {
    mode: 'unpacked-in-userns',
    reason: store.works
      ? `layers unpacked inside the user namespace (ownership in the subordinate range on disk); ${store.filesystem} could be ID-mapped, but only the host's root may ID-map host disks in general`
      : `layers unpacked inside the user namespace (ownership in the subordinate range on disk): ${store.filesystem} cannot be ID-mapped without root`,
  };
}

/** Points the store at a local directory, for this shell and later ones. */
function moveStoreCommand(store: StoreInfo): string {
  const line = `export ROOTLESS_STORE=${store.localAlternative}`;
  return `echo '${line}' >> ~/.profile && ${line}`;
}

export function checkStore(info: HostInfo): CheckResult {
  const { store, user, overlay } = info;
  const result = { id: 'store', title: 'image store' } as const;
  const where = `${store.path} on ${store.filesystem} (${store.mountPoint})`;
  const moveFix = moveStoreCommand(store);
  if (isNetworkFilesystem(store.filesystem)) {
    return {
      ...result,
      status: 'fail',
      detail: `${where}: a network filesystem, where overlayfs upper dirs and files owned by subordinate ids do not work`,
      fix: moveFix,
    };
  }
  if (!store.writable) {
    // Only the store itself changes owner: never a parent such as /home.
    const own = store.exists ? `sudo chown ${user.uid}:${user.gid} ${store.path}` : `sudo install -d -o ${user.uid} -g ${user.gid} ${store.path}`;
    return { ...result, status: 'fail', detail: `${store.checkedPath} is not writable by ${user.name}`, fix: `${own} (or ${moveFix})` };
  }
  const free = store.availableBytes === null ? 'free space unknown' : `${humanSize(store.availableBytes)} free`;
  const used = store.size ? `, uses ${humanSize(store.size.bytes)}${store.size.complete ? '' : '+'}` : '';
  const detail = `${where}, ${free}${used}`;
  if (store.mountOptions.includes('noexec') && !overlay?.works) {
    return {
      ...result,
      status: 'warn',
      detail: `${detail}; mounted noexec, which can stop programs in containers from starting`,
      fix: `sudo mount -o remount,exec ${store.mountPoint} (or ${moveFix})`,
    };
  }
  if (store.availableBytes !== null && store.availableBytes < LOW_SPACE_BYTES) {
    return { ...result, status: 'warn', detail: `${detail}: little room for images`, fix: `free space on ${store.mountPoint}, or ${moveFix}` };
  }
  // Tried: a setuid program in a lower dir on a nosuid mount still gains its ids through the overlay.
  const notes = [
    store.mountOptions.includes('noexec') && 'noexec does not reach the overlay: the probe ran a program',
    store.mountOptions.includes('nosuid') && 'nosuid does not reach the overlay',
  ].filter(Boolean);
  return { ...result, status: 'ok', detail: notes.length > 0 ? `${detail} (${notes.join('; ')})` : detail };
}

export function checkOverlay(info: HostInfo): CheckResult | undefined {
  const { overlay, store } = info;
  const result = { id: 'overlay', title: 'overlayfs in a user namespace' } as const;
  if (!overlay) return info.probesSkipped ? { ...result, status: 'warn', detail: `not probed: ${info.probesSkipped}` } : undefined;
  if (overlay.works) {
    return { ...result, status: 'ok', detail: `overlay with userxattr mounts on ${store.filesystem}, and programs run from it` };
  }
  const detail = `overlay with userxattr on ${store.filesystem} failed: ${overlay.error}`;
  if (store.untraversable) {
    return {
      ...result,
      status: 'fail',
      detail: `${detail}; root's containers run as other uids, which cannot enter ${store.untraversable}`,
      fix: `chmod o+x ${store.untraversable}`,
    };
  }
  return {
    ...result,
    status: 'fail',
    detail,
    fix: moveStoreCommand(store),
  };
}

export function checkIdmap(info: HostInfo): CheckResult | undefined {
  const { idmap, layerStrategy: strategy } = info;
  if (!idmap) return undefined;
  const result = { id: 'idmap', title: 'ID-mapped mounts' } as const;
  const probes = idmap.map((probe) => `${probe.target} (${probe.filesystem}): ${probe.works ? 'works' : probe.error}`).join('; ');
  const detail = `${probes} → ${strategy ? `${strategy.mode}: ${strategy.reason}` : 'no layer strategy'}`;
  const tmpfs = idmap.find((probe) => probe.target === 'tmpfs');
  if (info.user.root && idmap.some((probe) => probe.target === 'store' && !probe.works)) {
    return {
      ...result,
      status: 'fail', // root's containers need their layers ID-mapped
      detail,
      fix: `ROOTLESS_STORE on a filesystem that supports ID-mapped mounts (ext4, xfs, btrfs, tmpfs) with Linux >= 5.12`,
    };
  }
  if (tmpfs && !tmpfs.works) return { ...result, status: 'warn', detail: `${detail} (this kernel cannot ID-map a tmpfs: needs Linux >= 6.3)` };
  return { ...result, status: 'ok', detail };
}
