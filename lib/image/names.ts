// Image names as the store keeps them: canonical references like
// "docker.io/library/alpine:latest" or "127.0.0.1:5000/test/alpine@sha256:…". This is the small
// part of reference parsing the store needs; it yields the same text as formatReference().
import { RootlessError } from '../errors.js';

const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REPOSITORY = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
const TAG = /^\w[\w.-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

export interface NameParts {
  /** Registry and repository: "docker.io/library/alpine". */
  repository: string;
  tag?: string;
  digest?: string;
}

function invalid(text: string, why: string): RootlessError {
  return new RootlessError(`invalid image name \`${text}\`: ${why}`, {
    remedy: 'Use NAME[:TAG] or NAME@sha256:DIGEST, e.g. alpine:3.20 or 127.0.0.1:5000/test/alpine',
  });
}

/** Splits a (canonical or short) name into repository, tag and digest, without defaults. */
export function splitName(text: string): NameParts {
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw invalid(text, 'the digest is not sha256:<64 hex digits>');
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw invalid(text, `the tag \`${tag}\` has characters a tag cannot have`);
  }
  return { repository: rest, tag, digest };
}

/** "alpine" → "docker.io/library/alpine:latest"; a registry is a first part with `.`, `:` or `localhost`. */
export function canonicalName(text: string): string {
  const { repository: name, tag, digest } = splitName(text.trim());
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  const hasRegistry = /[.:[]/.test(first) || first === 'localhost';
  let registry = hasRegistry ? first : 'docker.io';
  let repository = hasRegistry ? name.slice(slash + 1) : name;
  if (registry === 'index.docker.io') registry = 'docker.io';
  if (registry === 'docker.io' && !repository.includes('/')) repository = `library/${repository}`;
  if (!REPOSITORY.test(repository)) throw invalid(text, 'a repository is lowercase letters, digits and separators (. _ -)');
  const suffix = `${tag || digest ? '' : ':latest'}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
  return `${registry}/${repository}${suffix}`;
}

/** canonicalName, or undefined for text that cannot be a name (an id, say). */
export function nameOrUndefined(text: string): string | undefined {
  try {
    return canonicalName(text);
  } catch {
    return undefined;
  }
}
