// The registry client the pull pipeline uses: manifests (digest-checked) and blob streams, from
// the mirrors registries.conf names first and then the origin, with stored credentials.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { RootlessError } from '../errors.js';
import { header, readBody } from './http.js';
import { MANIFEST_ACCEPT, manifestMediaType } from './manifest.js';
import { type ImageReference, normalizeRegistry, SHA256_DIGEST, TAG_PATTERN } from './reference.js';
import { type Endpoint, findRule, loadRegistriesConf, pullEndpoints, type RegistriesConf } from './registries-conf.js';
import { type Credentials } from './auth.js';
import { RegistrySession } from './registry-session.js';

export interface RegistryOptions {
  tlsVerify?: boolean;
}

const MANIFEST_LIMIT = 4 * 1024 * 1024;
const ERROR_BODY_LIMIT = 64 * 1024;

/** The registry's own explanation from an error body (`{"errors":[{"code","message"}]}`), if any. */
async function registryErrorDetail(response: IncomingMessage): Promise<string | undefined> {
  try {
    const body = JSON.parse((await readBody(response, ERROR_BODY_LIMIT)).toString('utf8')) as { errors?: { code?: string; message?: string }[] };
    const messages = (body.errors ?? []).map((error) => error.message || error.code).filter(Boolean);
    return messages.length > 0 ? messages.join('; ') : undefined;
  } catch {
    return undefined;
  }
}

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export class RegistryClient {
  private readonly sessions = new Map<string, RegistrySession>();

  private constructor(
    private readonly registry: string,
    private readonly conf: RegistriesConf,
    private readonly options: RegistryOptions,
  ) {}

  /** Applies registries.conf (insecure registries, mirrors) and stored credentials. */
  static for(ref: ImageReference, options: RegistryOptions = {}): RegistryClient {
    return new RegistryClient(normalizeRegistry(ref.registry), loadRegistriesConf(), options);
  }

  private session(endpoint: Endpoint): RegistrySession {
    const key = `${endpoint.registry}|${endpoint.insecure}`;
    let session = this.sessions.get(key);
    if (!session) {
      session = new RegistrySession(endpoint.registry, { insecure: endpoint.insecure, tlsVerify: this.options.tlsVerify });
      this.sessions.set(key, session);
    }
    return session;
  }

  /** Runs `attempt` against each mirror, then the origin; a failing mirror is skipped, the origin's error is reported. */
  private async fromEndpoints<T>(repository: string, byDigest: boolean, attempt: (session: RegistrySession, repository: string) => Promise<T>): Promise<T> {
    const endpoints = pullEndpoints(this.conf, this.registry, repository, byDigest);
    for (const endpoint of endpoints.slice(0, -1)) {
      try {
        return await attempt(this.session(endpoint), endpoint.repository);
      } catch (error) {
        if (process.env.ROOTLESS_DEBUG) console.error(`mirror ${endpoint.registry} failed, trying the next source:`, error);
      }
    }
    const origin = endpoints[endpoints.length - 1];
    return attempt(this.session(origin), origin.repository);
  }

  private async failure(response: IncomingMessage, session: RegistrySession, repository: string, what: string, notFound: string): Promise<RootlessError> {
    const status = response.statusCode ?? 0;
    const detail = await registryErrorDetail(response);
    const because = detail ? ` (${detail})` : '';
    const registry = session.registry;
    if (status === 401) return session.unauthorized(`${registry}/${repository}`);
    if (status === 403) {
      return new RootlessError(`access to ${registry}/${repository} denied${because}`, { remedy: `Log in with an account that may read it: \`rootless login ${registry}\`` });
    }
    if (status === 404) return new RootlessError(`${notFound}${because}`, { remedy: 'Check the name, tag or digest' });
    if (status === 429) {
      return new RootlessError(`${registry} is rate-limiting requests (429 Too Many Requests)`, { remedy: 'Wait a while and try again, or log in to get a higher limit' });
    }
    return new RootlessError(`${registry} answered ${status} ${response.statusMessage ?? ''} for ${what}${because}`, {
      remedy: status >= 500 ? 'The registry is failing; try again later' : 'Check the image reference and the registry',
    });
  }

  /** reference = tag or digest. Verifies the digest when the reference is one. */
  async fetchManifest(repository: string, reference: string): Promise<{ mediaType: string; digest: string; bytes: Buffer }> {
    const byDigest = SHA256_DIGEST.test(reference);
    if (!byDigest && !TAG_PATTERN.test(reference)) {
      throw new RootlessError(`invalid manifest reference "${reference}"`, { remedy: 'Give a tag or a sha256:<64 hex> digest' });
    }
    return this.fromEndpoints(repository, byDigest, async (session, path) => {
      const image = `${session.registry}/${path}${byDigest ? '@' : ':'}${reference}`;
      const response = await session.get(`/v2/${path}/manifests/${reference}`, { Accept: MANIFEST_ACCEPT.join(', ') }, `repository:${path}:pull`);
      if (response.statusCode !== 200) throw await this.failure(response, session, path, `manifest ${image}`, `image ${image} not found in ${session.registry}`);
      const bytes = await readBody(response, MANIFEST_LIMIT);
      const digest = sha256(bytes);
      const announced = header(response, 'docker-content-digest');
      const expected = byDigest ? reference : announced?.startsWith('sha256:') ? announced : undefined;
      if (expected && expected !== digest) {
        throw new RootlessError(`manifest of ${image} does not match its digest: expected ${expected}, got ${digest}`, {
          remedy: 'The registry or a proxy altered the manifest; try again, or use another mirror',
        });
      }
      return { mediaType: manifestMediaType(bytes, header(response, 'content-type') ?? ''), digest, bytes };
    });
  }

  /** Follows redirects; retries (429/5xx/reset) before the first byte. The caller verifies the digest. */
  async fetchBlob(repository: string, digest: string): Promise<{ stream: Readable; size?: number }> {
    if (!SHA256_DIGEST.test(digest)) throw new RootlessError(`invalid blob digest "${digest}"`, { remedy: 'Blobs are named sha256:<64 hex>' });
    return this.fromEndpoints(repository, true, async (session, path) => {
      const response = await session.get(`/v2/${path}/blobs/${digest}`, {}, `repository:${path}:pull`);
      if (response.statusCode !== 200) {
        throw await this.failure(response, session, path, `blob ${digest}`, `blob ${digest} of ${session.registry}/${path} not found`);
      }
      const length = header(response, 'content-length');
      return { stream: response, ...(length && /^\d+$/.test(length) ? { size: Number(length) } : {}) };
    });
  }
}

/** Checks credentials against a registry (for `rootless login`); throws a RootlessError if they are refused. */
export async function verifyCredentials(registry: string, credentials: Credentials, options: RegistryOptions = {}): Promise<void> {
  const conf = loadRegistriesConf();
  const insecure = findRule(conf, registry, '')?.insecure ?? false;
  await new RegistrySession(normalizeRegistry(registry), { insecure, tlsVerify: options.tlsVerify, credentials }).verifyCredentials();
}
