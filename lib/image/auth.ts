// Stored registry credentials, compatible with Podman's auth.json and Docker's config.json
// (`{"auths": {"host": {"auth": base64("user:pass")}}}`), so a `podman login` or `docker login`
// already done is used as is. rootless writes where Podman writes.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RootlessError, errnoCode } from '../errors.js';
import { normalizeRegistry } from './reference.js';

export interface Credentials {
  username: string;
  password: string;
}

interface AuthFile {
  auths?: Record<string, { auth?: string } & Record<string, unknown>>;
  [key: string]: unknown;
}

function home(env: NodeJS.ProcessEnv): string {
  return env.HOME || os.homedir();
}

/** Where `rootless login` writes: $REGISTRY_AUTH_FILE, else $XDG_RUNTIME_DIR/containers/auth.json, else ~/.config/containers/auth.json. */
export function authFileWritePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.REGISTRY_AUTH_FILE) return env.REGISTRY_AUTH_FILE;
  if (env.XDG_RUNTIME_DIR) return path.join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json');
  return path.join(home(env), '.config', 'containers', 'auth.json');
}

function dockerConfigPath(env: NodeJS.ProcessEnv): string {
  return path.join(env.DOCKER_CONFIG || path.join(home(env), '.docker'), 'config.json');
}

/** Files searched for credentials, first match wins: ours/Podman's, then Docker's. */
export function authFileReadOrder(env: NodeJS.ProcessEnv = process.env): string[] {
  const own = env.REGISTRY_AUTH_FILE
    ? [env.REGISTRY_AUTH_FILE]
    : [...(env.XDG_RUNTIME_DIR ? [path.join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json')] : []), path.join(home(env), '.config', 'containers', 'auth.json')];
  return [...new Set([...own, dockerConfigPath(env)])];
}

function readAuthFile(file: string): AuthFile | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return undefined;
    throw new RootlessError(`cannot read credentials file ${file}: ${(error as Error).message}`, { remedy: 'Check its permissions', cause: error });
  }
  try {
    const parsed: unknown = JSON.parse(text || '{}');
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as AuthFile;
  } catch (error) {
    throw new RootlessError(`credentials file ${file} is not valid JSON (${(error as Error).message})`, {
      remedy: 'Fix or remove the file, then log in again',
      cause: error,
    });
  }
}

/** "https://index.docker.io/v1/" → "docker.io"; "host:5000" stays; a key with a namespace path does not name a whole registry. */
function registryOfKey(key: string): string | undefined {
  const withoutScheme = key.replace(/^https?:\/\//i, '');
  const slash = withoutScheme.indexOf('/');
  if (slash >= 0 && withoutScheme === key) return undefined;
  return normalizeRegistry(slash >= 0 ? withoutScheme.slice(0, slash) : withoutScheme);
}

function keysFor(file: AuthFile, registry: string): string[] {
  const wanted = normalizeRegistry(registry);
  return Object.keys(file.auths ?? {}).filter((key) => registryOfKey(key) === wanted);
}

function decodeAuth(encoded: string, file: string, key: string): Credentials {
  const text = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) {
    throw new RootlessError(`credentials for ${key} in ${file} are malformed (expected base64 of "user:password")`, {
      remedy: `Log in again with \`rootless login ${key}\``,
    });
  }
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** Credentials for a registry host from the first file that has them, and that file. */
export function findCredentials(registry: string, env: NodeJS.ProcessEnv = process.env): { credentials: Credentials; file: string } | undefined {
  for (const file of authFileReadOrder(env)) {
    const content = readAuthFile(file);
    if (!content) continue;
    for (const key of keysFor(content, registry)) {
      const auth = content.auths?.[key]?.auth;
      if (typeof auth === 'string' && auth) return { credentials: decodeAuth(auth, file, key), file };
    }
  }
  return undefined;
}

export function readCredentials(registry: string, env: NodeJS.ProcessEnv = process.env): Credentials | undefined {
  return findCredentials(registry, env)?.credentials;
}

/** Writes the whole file or nothing: a temp file with mode 0600 in the same directory, then rename. */
function writeAuthFile(file: string, content: AuthFile): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    fs.writeFileSync(temp, `${JSON.stringify(content, null, '\t')}\n`, { mode: 0o600, flag: 'wx' });
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw new RootlessError(`cannot write credentials file ${file}: ${(error as Error).message}`, {
      remedy: 'Check that its directory is writable, or point $REGISTRY_AUTH_FILE elsewhere',
      cause: error,
    });
  }
}

/** Stores credentials for a registry (replacing any under another spelling of the same host); returns the file. */
export function storeCredentials(registry: string, credentials: Credentials, env: NodeJS.ProcessEnv = process.env): string {
  const file = authFileWritePath(env);
  const content = readAuthFile(file) ?? {};
  const auths = { ...(content.auths ?? {}) };
  for (const key of keysFor(content, registry)) delete auths[key];
  auths[normalizeRegistry(registry)] = { auth: Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64') };
  writeAuthFile(file, { ...content, auths });
  return file;
}

/**
 * Removes a registry's credentials from the file rootless writes. `elsewhere` names another file
 * (Docker's, say) that still has them, which rootless leaves alone.
 */
export function removeCredentials(registry: string, env: NodeJS.ProcessEnv = process.env): { removed: boolean; elsewhere?: string } {
  const file = authFileWritePath(env);
  const content = readAuthFile(file);
  const keys = content ? keysFor(content, registry) : [];
  if (content && keys.length > 0) {
    const auths = { ...(content.auths ?? {}) };
    for (const key of keys) delete auths[key];
    writeAuthFile(file, { ...content, auths });
    return { removed: true };
  }
  return { removed: false, elsewhere: findCredentials(registry, env)?.file };
}

/** Removes every stored credential from the file rootless writes; returns the file, or undefined if there was none. */
export function removeAllCredentials(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const file = authFileWritePath(env);
  const content = readAuthFile(file);
  if (!content) return undefined;
  writeAuthFile(file, { ...content, auths: {} });
  return file;
}
