// Where ID-mapped mounts made by the CLI meet the spec (see idmapped-mounts.ts): the annotation
// and paths only, so the spec side can name them without loading koffi.
import path from 'node:path';
import type { RuntimeSpec } from '../spec/oci.js';

/** Stage 2's end of the socket that carries the detached mounts (fd 4 is the terminal's). */
export const MOUNT_SOCKET_FD = 5;

/** Spec annotation: JSON of IdmappedMounts, what the CLI sends and where stage 2 attaches it. */
export const IDMAPPED_MOUNTS_ANNOTATION = 'org.rootless.idmapped-mounts';

export interface IdmappedMounts {
  /** Layer dirs (base first) and the staging dirs in the bundle the overlay takes as lowerdirs. */
  layers: Array<{ source: string; target: string }>;
  /** `-v SRC:DST:idmap` volumes, attached at DST inside the container's root. */
  volumes: Array<{ source: string; destination: string }>;
}

/** Where stage 2 attaches the ID-mapped layers: inside the bundle, base first. */
export function layerMountPoints(bundleDir: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => path.join(bundleDir, 'layers', String(index)));
}

export function idmappedMountsOf(spec: RuntimeSpec): IdmappedMounts | undefined {
  const annotation = spec.annotations?.[IDMAPPED_MOUNTS_ANNOTATION];
  return annotation ? (JSON.parse(annotation) as IdmappedMounts) : undefined;
}
