// `rootless info`: everything the doctor knows about this host, as JSON (the HostInfo object)
// or as podman-info-like indented text.
import { currentUser } from '../runtime/idmap.js';
import { gatherCgroup } from './cgroup.js';
import { tryIdMaps } from './idmap-trial.js';
import { gatherNetwork } from './network.js';
import { humanSize } from './parse.js';
import { runProbes } from './probe.js';
import { readMounts } from './read.js';
import { gatherHost, gatherInit, gatherLinger, gatherRuntimeDir } from './session.js';
import { gatherStore, holdsLegacyLayers, layerStrategy } from './storage.js';
import type { HostInfo } from './types.js';
import { gatherIdMapping, gatherUserNamespaces } from './userns.js';

export interface CollectOptions {
  /** Mount overlayfs and ID-mapped mounts for real (a namespaced child process) and walk the store for its size. */
  thorough: boolean;
}

export async function collectInfo(options: CollectOptions = { thorough: true }): Promise<HostInfo> {
  const identity = currentUser();
  const mounts = readMounts();
  const host = gatherHost();
  const [userNamespaces, network] = await Promise.all([gatherUserNamespaces(), gatherNetwork()]);
  const store = gatherStore(mounts, identity, { size: options.thorough });
  const probes = !options.thorough
    ? { overlay: null, idmap: null, skipped: null }
    : userNamespaces.works
      ? await runProbes(store, identity)
      : { overlay: null, idmap: null, skipped: 'user namespaces do not work' };
  const root = identity.uid === 0;
  return {
    host,
    user: { ...identity, root },
    userNamespaces,
    idMapping: { ...gatherIdMapping(identity, mounts), trial: options.thorough && userNamespaces.works ? await tryIdMaps(identity) : null },
    store,
    overlay: probes.overlay,
    idmap: probes.idmap,
    probesSkipped: probes.skipped,
    layerStrategy: layerStrategy(root, probes.idmap, root && holdsLegacyLayers(store.path)),
    network,
    cgroup: gatherCgroup(),
    init: gatherInit(),
    runtime: gatherRuntimeDir(identity),
    linger: gatherLinger(identity, host.systemd),
  };
}

function scalar(key: string, value: unknown): string {
  if (value === null || value === undefined) return 'none';
  if (typeof value === 'number' && /bytes$/i.test(key)) return `${value} (${humanSize(value)})`;
  return String(value);
}

/** YAML-like text: nested objects indent two spaces, arrays list with "- ", empty arrays as []. */
export function formatInfo(value: object, indent = ''): string {
  const lines: string[] = [];
  for (const [key, item] of Object.entries(value)) {
    if (Array.isArray(item)) {
      if (item.length === 0) {
        lines.push(`${indent}${key}: []`);
        continue;
      }
      lines.push(`${indent}${key}:`);
      for (const element of item) {
        if (element !== null && typeof element === 'object') {
          lines.push(formatInfo(element as object, `${indent}  `).replace(/^(\s*) {2}/, '$1- '));
        } else {
          lines.push(`${indent}- ${scalar(key, element)}`);
        }
      }
    } else if (item !== null && typeof item === 'object') {
      lines.push(`${indent}${key}:`, formatInfo(item as object, `${indent}  `));
    } else {
      lines.push(`${indent}${key}: ${scalar(key, item)}`);
    }
  }
  return lines.join('\n');
}
