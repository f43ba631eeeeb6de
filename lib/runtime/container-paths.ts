// Where a container's files go, known before anything is created: the launcher needs the bundle
// path in stage 2's argv while the bundle is still being written.
import { closeSync, openSync, readSync } from 'node:fs';
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

/** With `idmappedLayers` (real root) the overlay's lowerdirs are the layers' ID-mapped mounts in the bundle. */
export function containerPaths(id: string, layers: string[], idmappedLayers = false): ContainerPaths {
  const bundleDir = bundleDirOf(id);
  const layerMounts = idmappedLayers ? { layerMounts: layerMountPoints(bundleDir, layers.length) } : {};
  return { layers, ...layerMounts, storageDir: path.join(storeDir(), 'containers', id), bundleDir };
}
