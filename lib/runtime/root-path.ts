// Resolves a container path inside the rootfs the way the container will see it: symlinks in the
// image are followed with the rootfs as "/", so `/etc/hosts -> /../../host/file` cannot point a
// mount outside the container.
import { readlinkSync } from 'node:fs';
import path from 'node:path';

const MAX_LINKS = 40;

export function resolveInRoot(root: string, containerPath: string): string {
  const pending = containerPath.split('/').filter(Boolean);
  let resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    let target: string;
    try {
      target = readlinkSync(path.join(root, ...resolved, part));
    } catch {
      resolved.push(part); // not a symlink, or not there yet
      continue;
    }
    if (++links > MAX_LINKS) throw Object.assign(new Error(`too many symlinks in ${containerPath}`), { code: 'ELOOP' });
    if (target.startsWith('/')) resolved = [];
    pending.unshift(...target.split('/').filter(Boolean));
  }
  return path.join(root, ...resolved);
}
