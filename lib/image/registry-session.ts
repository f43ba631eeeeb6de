// One registry host as the client talks to it: the scheme (plain HTTP, verified or unverified
// HTTPS), the auth scheme learnt from the `/v2/` ping, the stored credentials, and requests that
// carry the right Authorization header.
import type { IncomingMessage } from 'node:http';
import { RootlessError, errnoCode } from '../errors.js';
import { type Challenge, authenticationError, basicAuthorization, bearerToken, parseWwwAuthenticate } from './auth-challenge.js';
import { type Credentials, readCredentials } from './auth.js';
import { header, isTlsProtocolError, sendFollowing } from './http.js';
import { registryApiHost } from './reference.js';
import { isLoopbackRegistry } from './registries-conf.js';

export interface SessionOptions {
  /** From registries.conf `insecure = true`. */
  insecure: boolean;
  /** The CLI's --tls-verify: false = like insecure, true = HTTPS with verification even on loopback. */
  tlsVerify?: boolean;
  /** Overrides the stored credentials (login checks them before storing). */
  credentials?: Credentials;
}

interface Transport {
  base: URL;
  tlsVerify: boolean;
}

type Auth = { kind: 'none' } | { kind: 'basic' } | { kind: 'bearer'; challenge: Challenge };

export class RegistrySession {
  readonly credentials?: Credentials;
  private connected?: Promise<{ transport: Transport; auth: Auth }>;

  constructor(
    /** The registry as the user names it ("docker.io", "127.0.0.1:5000"). */
    readonly registry: string,
    private readonly options: SessionOptions,
  ) {
    this.credentials = options.credentials ?? readCredentials(registry);
  }

  /** Candidate transports in order: insecure registries fall back from unverified HTTPS to plain HTTP. */
  private transports(): Transport[] {
    const host = registryApiHost(this.registry);
    const https = (tlsVerify: boolean): Transport => ({ base: new URL(`https://${host}/`), tlsVerify });
    const http: Transport = { base: new URL(`http://${host}/`), tlsVerify: false };
    if (this.options.tlsVerify === true) return [https(true)];
    if (this.options.tlsVerify === false || this.options.insecure) return [https(false), http];
    return isLoopbackRegistry(host) ? [http] : [https(true)];
  }

  /** Pings `/v2/` once: picks the transport and learns how the registry wants to be authenticated. */
  connect(): Promise<{ transport: Transport; auth: Auth }> {
    this.connected ??= this.ping();
    return this.connected;
  }

  private async ping(candidates = this.transports()): Promise<{ transport: Transport; auth: Auth }> {
    const [transport, ...fallbacks] = candidates;
    let response: IncomingMessage;
    try {
      ({ response } = await sendFollowing({ url: new URL('/v2/', transport.base), tlsVerify: transport.tlsVerify }));
    } catch (error) {
      const cause = error instanceof RootlessError ? error.cause : error;
      if (fallbacks.length > 0 && (isTlsProtocolError(cause) || errnoCode(cause) === 'ECONNREFUSED')) return this.ping(fallbacks);
      throw error;
    }
    response.resume();
    return { transport, auth: this.authFromPing(response) };
  }

  private authFromPing(response: IncomingMessage): Auth {
    const status = response.statusCode ?? 0;
    if (status >= 200 && status < 300) return { kind: 'none' };
    if (status === 401) {
      const challenges = parseWwwAuthenticate(header(response, 'www-authenticate') ?? '');
      const bearer = challenges.find((challenge) => challenge.scheme === 'bearer');
      if (bearer) return { kind: 'bearer', challenge: bearer };
      if (challenges.some((challenge) => challenge.scheme === 'basic')) return { kind: 'basic' };
      throw new RootlessError(`${this.registry} asks for an authentication scheme rootless does not support (${header(response, 'www-authenticate') ?? 'none named'})`, {
        remedy: 'Use a registry that supports Basic or Bearer token authentication',
      });
    }
    throw new RootlessError(`${this.registry} does not look like an OCI registry: GET /v2/ answered ${status} ${response.statusMessage ?? ''}`.trim(), {
      remedy: 'Check the registry address and port',
    });
  }

  private async authorization(auth: Auth, scope: string | undefined): Promise<string | undefined> {
    if (auth.kind === 'bearer') {
      const token = await bearerToken({ challenge: auth.challenge, scope, credentials: this.credentials, registry: this.registry, tlsVerify: await this.tlsVerify() });
      return `Bearer ${token}`;
    }
    return auth.kind === 'basic' && this.credentials ? basicAuthorization(this.credentials) : undefined;
  }

  private async tlsVerify(): Promise<boolean> {
    return (await this.connect()).transport.tlsVerify;
  }

  /** The 401 error: missing credentials, or wrong ones. */
  unauthorized(what?: string): RootlessError {
    return authenticationError(this.registry, this.credentials !== undefined, what);
  }

  /**
   * GET a registry path with authorization. A 401 carrying a new Bearer challenge (another scope)
   * is answered once with a token for that scope; any other 401 is the caller's to report.
   */
  async get(path: string, headers: Record<string, string>, scope: string | undefined): Promise<IncomingMessage> {
    const { transport, auth } = await this.connect();
    const url = new URL(path, transport.base);
    const send = async (authorization: string | undefined): Promise<IncomingMessage> => {
      const all = { ...headers, ...(authorization ? { Authorization: authorization } : {}) };
      return (await sendFollowing({ url, headers: all, tlsVerify: transport.tlsVerify })).response;
    };
    const response = await send(await this.authorization(auth, scope));
    if (response.statusCode !== 401 || auth.kind !== 'bearer') return response;
    const challenge = parseWwwAuthenticate(header(response, 'www-authenticate') ?? '').find((c) => c.scheme === 'bearer');
    if (!challenge || (challenge.params.scope ?? '') === (scope ?? '')) return response;
    response.resume();
    return send(await this.authorization({ kind: 'bearer', challenge }, challenge.params.scope));
  }

  /** For login: are these credentials accepted? Basic: GET /v2/ with them; Bearer: a token, then GET /v2/ with it. */
  async verifyCredentials(): Promise<void> {
    const { auth } = await this.connect();
    const response = await this.get('/v2/', {}, undefined);
    response.resume();
    if (response.statusCode === 401) throw this.unauthorized();
    if (auth.kind !== 'none' && (response.statusCode ?? 0) >= 300) {
      throw new RootlessError(`${this.registry} answered ${response.statusCode} to the login check`, { remedy: 'Check the registry address' });
    }
  }
}
