// Where real root's ID-mapped layers meet the spec (see idmapped-layers.ts): constants and paths
// only, so the spec side can name them without loading koffi.
import path from 'node:path';

/** Stage 2's end of the socket that carries the layer mounts (fd 4 is the terminal's). */
export const LAYER_SOCKET_FD = 5;

/** Spec annotation: JSON list of the staging dirs, base layer first, where stage 2 attaches the layers. */
export const IDMAPPED_LAYERS_ANNOTATION = 'org.rootless.idmapped-layers';

/** Where stage 2 attaches the ID-mapped layers: inside the bundle, base first. */
export function layerMountPoints(bundleDir: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => path.join(bundleDir, 'layers', String(index)));
}
