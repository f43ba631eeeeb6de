// registries.conf: which registries are plain HTTP or unverified HTTPS, which are blocked, and
// which mirrors to try first. The containers-registries.conf(5) v2 format, the subset of
// `[[registry]]` (prefix, location, insecure, blocked, mirror-by-digest-only) and `[[registry.mirror]]`.
import fs from 'node:fs';
import path from 'node:path';
import { RootlessError, errnoCode } from '../errors.js';
import { configDir } from '../paths.js';
import { parseToml, type TomlTable, type TomlValue } from './toml-subset.js';
import { isValidRegistryHost, normalizeRegistry } from './reference.js';

export interface MirrorConfig {
  location: string;
  insecure: boolean;
}

export interface RegistryRule {
  prefix: string;
  location: string;
  insecure: boolean;
  blocked: boolean;
  mirrorByDigestOnly: boolean;
  mirrors: MirrorConfig[];
}

export interface RegistriesConf {
  file?: string;
  registries: RegistryRule[];
}

/** One place to try: a registry host and the repository name there. */
export interface Endpoint {
  registry: string;
  repository: string;
  insecure: boolean;
  mirror: boolean;
}

const SYSTEM_FILE = '/etc/containers/registries.conf';

/** $ROOTLESS_REGISTRIES_CONF, else the user's file, else the system one (the first that exists). */
export function registriesConfPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.ROOTLESS_REGISTRIES_CONF) return env.ROOTLESS_REGISTRIES_CONF;
  const candidates = [path.join(configDir(env), 'registries.conf'), SYSTEM_FILE];
  return candidates.find((file) => fs.existsSync(file));
}

function bad(file: string, what: string): RootlessError {
  return new RootlessError(`invalid registries configuration in ${file}: ${what}`, {
    remedy: 'See containers-registries.conf(5): [[registry]] takes location, prefix, insecure, blocked and [[registry.mirror]] entries',
  });
}

function field<T extends string | boolean>(table: TomlTable, key: string, fallback: T, file: string): T {
  const value: TomlValue | undefined = table[key];
  if (value === undefined) return fallback;
  if (typeof value !== typeof fallback) throw bad(file, `"${key}" must be a ${typeof fallback}`);
  return value as T;
}

/** "host[:port][/path]"; no scheme. */
function checkLocation(location: string, file: string): string {
  if (/^[a-z]+:\/\//i.test(location)) throw bad(file, `location "${location}" must not have a URL scheme (write host[:port][/path])`);
  const host = location.split('/')[0];
  if (!isValidRegistryHost(host)) throw bad(file, `"${location}" does not start with a valid host[:port]`);
  return location.replace(/\/+$/, '');
}

function tablesOf(value: TomlValue | undefined, what: string, file: string): TomlTable[] {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  if (!list.every((item) => typeof item === 'object' && item !== null && !Array.isArray(item))) {
    throw bad(file, `"${what}" must be written as [[${what}]] tables`);
  }
  return list as TomlTable[];
}

export function parseRegistriesConf(text: string, file = 'registries.conf'): RegistriesConf {
  const root = parseToml(text, file);
  const registries = tablesOf(root.registry, 'registry', file).map((table): RegistryRule => {
    const rawLocation = field(table, 'location', '' as string, file);
    const prefix = field(table, 'prefix', rawLocation, file);
    if (prefix === '') throw bad(file, 'a [[registry]] needs a location or a prefix');
    const wildcard = prefix.startsWith('*.');
    const mirrors = tablesOf(table.mirror, 'registry.mirror', file).map((mirror) => ({
      location: checkLocation(field(mirror, 'location', '' as string, file), file),
      insecure: field(mirror, 'insecure', false as boolean, file),
    }));
    return {
      prefix: wildcard ? prefix : normalizeName(checkLocation(prefix, file)),
      location: wildcard ? rawLocation && checkLocation(rawLocation, file) : checkLocation(rawLocation || prefix, file),
      insecure: field(table, 'insecure', false as boolean, file),
      blocked: field(table, 'blocked', false as boolean, file),
      mirrorByDigestOnly: field(table, 'mirror-by-digest-only', false as boolean, file),
      mirrors,
    };
  });
  return { file, registries: [...registries, ...version1Rules(root, file)] };
}

/** The older format: `[registries.insecure] registries = [...]` and `[registries.block] registries = [...]`. */
function version1Rules(root: TomlTable, file: string): RegistryRule[] {
  const hosts = (kind: string): string[] => {
    const section = root.registries;
    const list = section && typeof section === 'object' && !Array.isArray(section) ? (section[kind] as TomlTable | undefined)?.registries : undefined;
    if (list === undefined) return [];
    if (!Array.isArray(list) || !list.every((host) => typeof host === 'string')) throw bad(file, `registries.${kind}.registries must be a list of hosts`);
    return list.map((host) => checkLocation(host as string, file));
  };
  const rule = (host: string, insecure: boolean, blocked: boolean): RegistryRule => ({
    prefix: normalizeName(host), location: host, insecure, blocked, mirrorByDigestOnly: false, mirrors: [],
  });
  return [...hosts('insecure').map((host) => rule(host, true, false)), ...hosts('block').map((host) => rule(host, false, true))];
}

function normalizeName(name: string): string {
  const slash = name.indexOf('/');
  return slash < 0 ? normalizeRegistry(name) : `${normalizeRegistry(name.slice(0, slash))}${name.slice(slash)}`;
}

/** Reads the configuration file (small, read a few times per command). A missing file means no rules. */
export function loadRegistriesConf(env: NodeJS.ProcessEnv = process.env): RegistriesConf {
  const file = registriesConfPath(env);
  if (!file) return { registries: [] };
  try {
    return parseRegistriesConf(fs.readFileSync(file, 'utf8'), file);
  } catch (error) {
    if (error instanceof RootlessError) throw error;
    if (errnoCode(error) === 'ENOENT') return { registries: [] };
    throw new RootlessError(`cannot read ${file}: ${(error as Error).message}`, { remedy: 'Check the file permissions', cause: error });
  }
}

function prefixMatches(prefix: string, name: string): boolean {
  if (prefix.startsWith('*.')) return name.split('/')[0].endsWith(prefix.slice(1));
  return name === prefix || name.startsWith(`${prefix}/`);
}

/** The rule with the longest matching prefix for "registry/repository", as containers/image picks it. */
export function findRule(conf: RegistriesConf, registry: string, repository: string): RegistryRule | undefined {
  const name = `${normalizeRegistry(registry)}/${repository}`;
  let best: RegistryRule | undefined;
  for (const rule of conf.registries) {
    if (prefixMatches(rule.prefix, name) && (!best || rule.prefix.length > best.prefix.length)) best = rule;
  }
  return best;
}

/** Replaces the matched prefix of the name by `location` and splits the result into host and path. */
function endpointAt(location: string, rest: string, insecure: boolean, mirror: boolean): Endpoint {
  const full = `${location}${rest}`;
  const slash = full.indexOf('/');
  return { registry: normalizeRegistry(full.slice(0, slash)), repository: full.slice(slash + 1), insecure, mirror };
}

/** Where to pull "registry/repository" from, in order: the mirrors, then the origin. */
export function pullEndpoints(conf: RegistriesConf, registry: string, repository: string, byDigest: boolean): Endpoint[] {
  const rule = findRule(conf, registry, repository);
  const origin: Endpoint = { registry: normalizeRegistry(registry), repository, insecure: rule?.insecure ?? false, mirror: false };
  if (!rule) return [origin];
  if (rule.blocked) {
    throw new RootlessError(`registry ${registry} is blocked by ${conf.file ?? 'registries.conf'} (prefix "${rule.prefix}")`, {
      remedy: 'Remove `blocked = true` from that [[registry]] entry to allow it',
    });
  }
  const rest = rule.prefix.startsWith('*.') ? `/${repository}` : `${normalizeRegistry(registry)}/${repository}`.slice(rule.prefix.length);
  const mirrors = rule.mirrorByDigestOnly && !byDigest ? [] : rule.mirrors;
  return [
    ...mirrors.map((mirror) => endpointAt(mirror.location, rest, mirror.insecure, true)),
    rule.location ? endpointAt(rule.location, rest, rule.insecure, false) : origin,
  ];
}

const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\]|::1)(?::\d+)?$/i;

/** Registries on the loopback interface speak plain HTTP by default, as with Docker. */
export function isLoopbackRegistry(host: string): boolean {
  return LOOPBACK.test(host);
}
