// A store built by hand the way the store's layout says (images.json, blobs/sha256/<config>,
// layers/<diffid-hex>), from the Alpine minirootfs fixture, unpacked inside the user's namespace
// so the layer belongs to the container's ids. Stands in until the store module can pull.
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { defaultUserNamespace } from '../../lib/runtime/idmap.js';
import { launchInNamespaces } from '../../lib/runtime/launcher.js';
import { removeTree } from '../../lib/runtime/remove-tree.js';

export const FIXTURES = '/work/shared/fixtures';
export const HAND_IMAGE = '127.0.0.1:5000/test/alpine:3.20';

const archNames: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64' };
const ociArch: Record<string, string> = { x64: 'amd64', arm64: 'arm64' };

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Creates a store under a new temp dir holding HAND_IMAGE; returns the store's path. */
export async function buildHandStore(): Promise<string> {
  const plan = defaultUserNamespace();
  // the test runner's sandbox directory when it gives one
  const base = process.env.ROOTLESS_E2E_TMP ?? os.tmpdir();
  mkdirSync(base, { recursive: true });
  const root = mkdtempSync(path.join(base, 'rootless-run-'));
  const store = path.join(root, 'store');
  mkdirSync(path.join(store, 'blobs', 'sha256'), { recursive: true });
  const fixture = path.join(FIXTURES, `alpine-minirootfs-3.20.3-${archNames[process.arch]}.tar.gz`);
  const diffID = sha256(gunzipSync(readFileSync(fixture)));
  const layer = path.join(store, 'layers', diffID);
  mkdirSync(layer, { recursive: true });
  if (process.getuid?.() === 0) {
    // real root's containers run as 100000…: they must be able to reach and own their layer
    for (const dir of [root, store, path.join(store, 'layers')]) chmodSync(dir, 0o711);
    chownSync(layer, plan.uidMappings[0]!.hostID, plan.gidMappings[0]!.hostID);
  }
  // with one mapped id (no subordinate range) every file must belong to it
  const singleId = plan.uidMappings.every((m) => m.size === 1) ? ['--no-same-owner'] : [];
  const { exited } = await launchInNamespaces({ namespaces: ['user'], plan, argv: ['tar', '-xzf', fixture, '-C', layer, ...singleId], stdio: ['ignore', 'inherit', 'inherit'] });
  const status = await exited;
  if (status !== 0) throw new Error(`unpacking ${fixture} failed with ${status}`);
  const config = JSON.stringify({
    architecture: ociArch[process.arch],
    os: 'linux',
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['/bin/sh'] },
    rootfs: { type: 'layers', diff_ids: [`sha256:${diffID}`] },
  });
  const configDigest = sha256(config);
  writeFileSync(path.join(store, 'blobs', 'sha256', configDigest), config);
  const record = {
    id: `sha256:${configDigest}`,
    digest: `sha256:${configDigest}`,
    names: [HAND_IMAGE],
    layers: [`sha256:${diffID}`],
    size: 0,
    platform: { os: 'linux', architecture: ociArch[process.arch] },
  };
  writeFileSync(path.join(store, 'images.json'), JSON.stringify([record]));
  return store;
}

/** Removes what buildHandStore made. */
export async function removeHandStore(store: string): Promise<void> {
  await removeTree(path.dirname(store), defaultUserNamespace());
}
