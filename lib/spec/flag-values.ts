// The values of `rootless run` flags that have a syntax of their own: environment entries,
// env files, volumes, tmpfs mounts and user specs. Pure functions: errors name the bad value.
import { RootlessError } from '../errors.js';

/** `-e KEY=VALUE` stays as is; `-e KEY` takes KEY from `hostEnv` and is dropped if unset there. */
export function resolveEnvEntry(entry: string, hostEnv: NodeJS.ProcessEnv): string | undefined {
  const equals = entry.indexOf('=');
  const key = equals < 0 ? entry : entry.slice(0, equals);
  if (key === '' || /\s/.test(key)) {
    throw new RootlessError(`invalid environment variable "${entry}": the name is empty or has spaces`, {
      remedy: 'Write it as KEY=VALUE',
    });
  }
  if (equals >= 0) return entry;
  const value = hostEnv[key];
  return value === undefined ? undefined : `${key}=${value}`;
}

/** Docker's env-file format: KEY=VALUE or KEY lines; `#` comments and blank lines skipped; no quoting. */
export function parseEnvFile(text: string, hostEnv: NodeJS.ProcessEnv, file = 'env file'): string[] {
  const entries: string[] = [];
  text.split('\n').forEach((raw, lineIndex) => {
    const line = raw.replace(/\r$/, '').trimStart();
    if (line === '' || line.startsWith('#')) return;
    try {
      const entry = resolveEnvEntry(line, hostEnv);
      if (entry !== undefined) entries.push(entry);
    } catch (error) {
      throw new RootlessError(`${file} line ${lineIndex + 1}: ${(error as Error).message}`, { remedy: 'Write it as KEY=VALUE' });
    }
  });
  return entries;
}

/** Later entries replace earlier ones with the same key, keeping the first one's position. */
export function mergeEnv(...lists: string[][]): string[] {
  const merged = new Map<string, string>();
  for (const entry of lists.flat()) {
    const equals = entry.indexOf('=');
    merged.set(equals < 0 ? entry : entry.slice(0, equals), entry);
  }
  return [...merged.values()];
}

export function envValue(env: string[], key: string): string | undefined {
  const entry = env.find((candidate) => candidate.startsWith(`${key}=`));
  return entry?.slice(key.length + 1);
}

export interface VolumeSpec {
  source: string;
  destination: string;
  readonly: boolean;
  /** Mounted ID-mapped through the container's user namespace (`idmap`). */
  idmap: boolean;
}

/** `HOST:CONTAINER[:OPTIONS]` with absolute paths; options ro, rw, idmap (z and Z are accepted, no-ops). */
export function parseVolume(text: string): VolumeSpec {
  const parts = text.split(':');
  const remedy = 'Write it as /host/path:/container/path[:ro]';
  if (parts.length < 2 || parts.length > 3 || !parts[0] || !parts[1]) {
    throw new RootlessError(`invalid volume "${text}"`, { remedy });
  }
  const [source, destination, optionText] = parts as [string, string, string | undefined];
  if (!source.startsWith('/') && !source.startsWith('.')) {
    throw new RootlessError(`named volumes are not supported yet ("${source}" in "${text}")`, { remedy: 'Use an absolute host path: /host/path:/container/path' });
  }
  if (!destination.startsWith('/')) {
    throw new RootlessError(`invalid volume "${text}": the container path must be absolute`, { remedy });
  }
  let readonly = false;
  let idmap = false;
  for (const option of optionText ? optionText.split(',') : []) {
    if (option === 'ro') readonly = true;
    else if (option === 'rw') readonly = false;
    else if (option === 'idmap') idmap = true;
    else if (option !== 'z' && option !== 'Z') {
      throw new RootlessError(`invalid volume option "${option}" in "${text}"`, { remedy: 'Use ro, rw or idmap' });
    }
  }
  return { source, destination, readonly, idmap };
}

export interface TmpfsSpec {
  destination: string;
  options: string[];
}

const tmpfsDefaults = ['rw', 'nosuid', 'nodev', 'noexec'];

/** `PATH[:OPTIONS]`, options as mount(8) takes them (size=64m,mode=1777,exec…). */
export function parseTmpfs(text: string): TmpfsSpec {
  const colon = text.indexOf(':');
  const destination = colon < 0 ? text : text.slice(0, colon);
  if (!destination.startsWith('/')) {
    throw new RootlessError(`invalid tmpfs "${text}": the path must be absolute`, { remedy: 'Write it as /path[:size=64m,mode=1777]' });
  }
  const extra = colon < 0 ? [] : text.slice(colon + 1).split(',').filter(Boolean);
  const overridden = (option: string) => extra.some((given) => given === option || (option === 'noexec' && given === 'exec') || (option === 'rw' && given === 'ro'));
  return { destination, options: [...tmpfsDefaults.filter((option) => !overridden(option)), ...extra] };
}

export interface UserSpec {
  user: string;
  group?: string;
}

/** `USER[:GROUP]`, each a name or a numeric id. */
export function parseUserSpec(text: string): UserSpec {
  const [user, group, extra] = text.split(':');
  if (!user || extra !== undefined || group === '') {
    throw new RootlessError(`invalid user "${text}"`, { remedy: 'Write it as USER, UID, USER:GROUP or UID:GID' });
  }
  return group === undefined ? { user } : { user, group };
}
