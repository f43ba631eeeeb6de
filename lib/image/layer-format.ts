// Real root's store keeps each layer with the tar's own owners (host ids 0, 1, …): containers see
// the layers through ID-mapped mounts in their own ranges. Earlier versions unpacked root's layers
// inside the fixed range's user namespace (owned by 0x70000000… on disk), which an ID-mapped mount
// would show shifted a second time. A marker file tells the two apart; a store holding layers
// without it is refused with the way out, rather than converted behind the user's back.
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { RootlessError } from '../errors.js';

export const HOST_ID_LAYERS_MARKER = 'layers-owned-by-host-ids';

/** Layer trees as real root unpacks them hold setuid-root programs: no one else may reach them. */
const ROOT_LAYER_DIR_MODE = 0o700;

/**
 * For real root: makes sure the store at `storeDir` holds (or will hold) layers owned by host ids,
 * writing the marker into a store without layers. Throws for a store unpacked the old way.
 */
export async function requireHostIdLayers(storeDir: string): Promise<void> {
  const marker = path.join(storeDir, HOST_ID_LAYERS_MARKER);
  if (existsSync(marker)) return;
  const layersDir = path.join(storeDir, 'layers');
  const layers = await fs.readdir(layersDir).catch(() => [] as string[]);
  if (layers.length > 0) {
    throw new RootlessError(
      `the store ${storeDir} holds layers unpacked by an older rootless inside a fixed id range; root's containers now mount layers owned by their real ids, ID-mapped`,
      { remedy: 'Remove the old images and pull them again: rootless rmi --all --force, then rootless pull IMAGE' },
    );
  }
  for (const dir of [layersDir, path.join(storeDir, 'tmp')]) {
    await fs.mkdir(dir, { recursive: true, mode: ROOT_LAYER_DIR_MODE });
    await fs.chmod(dir, ROOT_LAYER_DIR_MODE);
  }
  await fs.writeFile(marker, 'layers/ holds layer trees with their real owners; containers mount them ID-mapped\n');
}
