// Where a container's files go, known before anything is created: the launcher needs the bundle
// path in stage 2's argv while the bundle is still being written.
import { closeSync, mkdirSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { runtimeDir, storeDir } from '../paths.js';
import type { ContainerPaths } from '../spec/build.js';
import { layerMountPoints } from './layer-mounts.js';

/** 64 hex digits, as docker's ids (read from /dev/urandom: node:crypto costs ~5 ms to load). */
export function newContainerId(): string {
  const bytes = Buffer.alloc(32);
  const fd = openSync('/dev/urandom', 'r');
  try {
    readSync(fd, bytes, 0, bytes.length, null);
  } finally {
    closeSync(fd);
  }
  return bytes.toString('hex');
}

/** The bundle (config.json, rootfs/, state.json): stage 2's argument, known before the image is. */
export function bundleDirOf(id: string): string {
  return path.join(runtimeDir(), 'containers', id);
}

/** The writable layer's directory (upper/, work/). */
export function storageDirOf(id: string): string {
  return path.join(storeDir(), 'containers', id);
}

/** With `idmappedLayers` (real root) the overlay's lowerdirs are the layers' ID-mapped mounts in the bundle. */
export function containerPaths(id: string, layers: string[], idmappedLayers = false): ContainerPaths {
  const bundleDir = bundleDirOf(id);
  const layerMounts = idmappedLayers ? { layerMounts: layerMountPoints(bundleDir, layers.length) } : {};
  return { layers, ...layerMounts, storageDir: storageDirOf(id), bundleDir };
}

/** Parents must be traversable by the container's root, which is not host root for real root. */
export function makeParents(dirs: string[]): void {
  const parentMode = process.getuid?.() === 0 ? 0o711 : 0o700;
  for (const dir of dirs) mkdirSync(path.dirname(dir), { recursive: true, mode: parentMode });
}
