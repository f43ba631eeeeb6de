// Image references in Docker's grammar (distribution/reference): [registry/]path[:tag][@digest].
// Docker Hub short names are expanded the way `docker pull` does, so `alpine` and
// `docker.io/library/alpine:latest` name the same image everywhere in the store.
import { RootlessError } from '../errors.js';

export interface ImageReference {
  registry: string; // "docker.io", "127.0.0.1:5000", "[::1]:5000"
  repository: string; // "library/alpine"
  tag?: string; // "latest" when neither tag nor digest is given
  digest?: string; // "sha256:<64 hex>"
}

export const DOCKER_HUB = 'docker.io';
/** Where Docker Hub's registry API actually answers. */
const DOCKER_HUB_API = 'registry-1.docker.io';
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

const EXPECTED = 'Expected [REGISTRY[:PORT]/]NAME[:TAG][@sha256:DIGEST], e.g. alpine:3.20 or 127.0.0.1:5000/team/app@sha256:…';
const MAX_NAME_LENGTH = 255;

const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const IPV6_HOST = /^\[[0-9a-fA-F:.]+(?:%[\w.-]+)?\]$/;
const PORT = /^[0-9]{1,5}$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
export const TAG_PATTERN = /^[\w][\w.-]{0,127}$/;
export const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;

function invalid(text: string, what: string): RootlessError {
  return new RootlessError(`invalid image reference "${text}": ${what}`, { remedy: EXPECTED });
}

/** True for "host", "host:port", "1.2.3.4:5000", "[::1]:5000". */
export function isValidRegistryHost(host: string): boolean {
  const ipv6 = host.match(/^(\[[^\]]*\])(?::(.*))?$/);
  let name = host;
  let port: string | undefined;
  if (ipv6) {
    if (!IPV6_HOST.test(ipv6[1])) return false;
    port = ipv6[2];
    name = '';
  } else {
    const colon = host.lastIndexOf(':');
    if (colon >= 0) [name, port] = [host.slice(0, colon), host.slice(colon + 1)];
    if (!name.split('.').every((part) => DOMAIN_COMPONENT.test(part))) return false;
  }
  return port === undefined || (PORT.test(port) && Number(port) <= 65535);
}

/** Docker's rule: the first component is a registry if it has a dot or colon, is localhost, or has uppercase. */
function looksLikeRegistry(component: string): boolean {
  return /[.:]/.test(component) || component === 'localhost' || component.startsWith('[') || component !== component.toLowerCase();
}

/** Maps Docker Hub's alternate host names to docker.io. */
export function normalizeRegistry(host: string): string {
  const lower = host.toLowerCase();
  return DOCKER_HUB_ALIASES.has(lower) ? DOCKER_HUB : host;
}

/** The host:port to send registry API requests to. */
export function registryApiHost(registry: string): string {
  return normalizeRegistry(registry) === DOCKER_HUB ? DOCKER_HUB_API : registry;
}

export function parseReference(text: string): ImageReference {
  if (text.trim() === '') throw invalid(text, 'it is empty');
  if (text !== text.trim()) throw invalid(text, 'it has leading or trailing spaces');

  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!digest.startsWith('sha256:')) throw invalid(text, `digest "${digest}" is not a sha256 digest`);
    if (!SHA256_DIGEST.test(digest)) throw invalid(text, `digest "${digest}" must be "sha256:" followed by 64 lowercase hex digits`);
  }

  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (tag === '') throw invalid(text, 'the tag after ":" is empty');
    if (tag.length > 128) throw invalid(text, `the tag is ${tag.length} characters long; at most 128 are allowed`);
    if (!TAG_PATTERN.test(tag)) throw invalid(text, `tag "${tag}" may only contain letters, digits, "_", "." and "-", and must not start with "." or "-"`);
  }

  const slash = rest.indexOf('/');
  let registry = DOCKER_HUB;
  let path = rest;
  if (slash >= 0 && looksLikeRegistry(rest.slice(0, slash))) {
    registry = rest.slice(0, slash);
    path = rest.slice(slash + 1);
    if (!isValidRegistryHost(registry)) throw invalid(text, `"${registry}" is not a valid registry host[:port]`);
    registry = normalizeRegistry(registry);
  }
  if (path === '') throw invalid(text, 'the repository name is empty');
  for (const component of path.split('/')) {
    if (component === '') throw invalid(text, 'the repository name has an empty path component');
    if (component !== component.toLowerCase()) throw invalid(text, `repository name "${path}" must be lowercase`);
    if (!PATH_COMPONENT.test(component)) {
      throw invalid(text, `"${component}" is not a valid name component (lowercase letters and digits, separated by ".", "_", "__" or "-")`);
    }
  }
  if (registry === DOCKER_HUB && !path.includes('/')) path = `library/${path}`;
  if (`${registry}/${path}`.length > MAX_NAME_LENGTH) throw invalid(text, `the name is longer than ${MAX_NAME_LENGTH} characters`);

  if (!tag && !digest) tag = 'latest';
  return { registry, repository: path, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** The canonical text form: "docker.io/library/alpine:latest", "host/name@sha256:…", "host/name:tag@sha256:…". */
export function formatReference(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** A name as the store keeps it: "alpine" → "docker.io/library/alpine:latest". */
export function canonicalReference(text: string): string {
  return formatReference(parseReference(text.trim()));
}

/** "registry/repository" of a reference, e.g. "docker.io/library/alpine" (`images`' REPOSITORY column). */
export function repositoryName(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}`;
}

/** What to ask the registry's manifest endpoint for: the digest when there is one (it wins over the tag). */
export function manifestReference(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? 'latest';
}
