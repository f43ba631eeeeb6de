// Reads a file of the container's filesystem before it exists, from the unpacked layers: the
// topmost layer that has the path wins; an OverlayFS whiteout (char device 0:0) hides lower
// copies. Used for /etc/passwd and /etc/group when resolving --user.
import { lstatSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The file's text, or undefined when no layer has it (or the top copy is deleted). */
export function readLayerFile(layers: string[], file: string): string | undefined {
  for (const layer of [...layers].reverse()) {
    const candidate = path.join(layer, file);
    let stats;
    try {
      stats = lstatSync(candidate);
    } catch {
      continue;
    }
    if (stats.isCharacterDevice() && stats.rdev === 0) return undefined;
    if (!stats.isFile()) return undefined;
    return readFileSync(candidate, 'utf8');
  }
  return undefined;
}
