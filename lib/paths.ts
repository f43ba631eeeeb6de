// Where rootless keeps things. Users: the store under $XDG_DATA_HOME, state under $XDG_RUNTIME_DIR
// (a tmpfs, so container state does not survive a reboot). Root: /var/lib/rootless and /run/rootless.
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** The image store: blobs, image records, unpacked layers, container upper directories. */
export function storeDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ROOTLESS_STORE) return path.resolve(env.ROOTLESS_STORE);
  if (isRoot()) return '/var/lib/rootless';
  const dataHome = env.XDG_DATA_HOME || path.join(env.HOME || os.homedir(), '.local', 'share');
  return path.join(dataHome, 'rootless');
}

/** Runtime state (config.json of each container, pid files); tmpfs-backed where possible. */
export function runtimeDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ROOTLESS_RUNTIME_DIR) return path.resolve(env.ROOTLESS_RUNTIME_DIR);
  if (isRoot()) return '/run/rootless';
  if (env.XDG_RUNTIME_DIR) return path.join(env.XDG_RUNTIME_DIR, 'rootless');
  return path.join(os.tmpdir(), `rootless-${process.getuid?.() ?? 'user'}`);
}

/** User configuration ($XDG_CONFIG_HOME/rootless). */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  const configHome = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config');
  return path.join(configHome, 'rootless');
}

/**
 * A file of the installed package, relative to dist/lib: the programs started as processes of
 * their own (stage 2, the unpack worker), package.json, contrib/. Resolved from this module, which
 * sits in dist/lib as the bundled CLI does (scripts/bundle.mjs), so it holds for both.
 */
export function installedFile(relative: string): string {
  return fileURLToPath(new URL(relative, import.meta.url));
}
