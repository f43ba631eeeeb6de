// HTTP transport for registries on Node's http/https: keep-alive agents (layers are fetched in
// parallel), redirects across hosts without leaking credentials, retries with backoff on the
// failures registries and CDNs produce under load, and network errors turned into one clear line.
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { RootlessError, errnoCode } from '../errors.js';

export interface HttpRequest {
  url: URL;
  method?: 'GET' | 'HEAD';
  headers?: Record<string, string>;
  /** false: accept any certificate (insecure registries, --tls-verify=false). */
  tlsVerify: boolean;
}

const USER_AGENT = 'rootless';
const MAX_SOCKETS_PER_HOST = 8;
const IDLE_TIMEOUT_MS = 60_000;
const MAX_REDIRECTS = 5;
const MAX_TRIES = 4;
const FIRST_BACKOFF_MS = 200;
const MAX_RETRY_AFTER_MS = 10_000;
const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);
const RETRY_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ECONNABORTED', 'EAI_AGAIN']);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS_PER_HOST }),
  https: new https.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS_PER_HOST }),
  httpsUnverified: new https.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS_PER_HOST, rejectUnauthorized: false }),
};

const TLS_CERT_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The server answered a TLS handshake with something else: usually a plain-HTTP registry. */
export function isTlsProtocolError(error: unknown): boolean {
  const code = errnoCode(error) ?? '';
  return code === 'EPROTO' || code.startsWith('ERR_SSL_');
}

const TLS_REMEDY = 'If you trust this registry, pass --tls-verify=false or mark it `insecure = true` in registries.conf';

/** Turns a socket or TLS failure into the error the user sees. */
export function networkError(error: unknown, url: URL): RootlessError {
  const host = url.host;
  const code = errnoCode(error) ?? '';
  const detail = error instanceof Error ? error.message : String(error);
  if (code === 'ECONNREFUSED') {
    return new RootlessError(`cannot reach ${host}: connection refused`, {
      remedy: 'Is the registry running? Check the address and port',
      cause: error,
    });
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new RootlessError(`cannot reach ${host}: the host name does not resolve`, { remedy: 'Check the registry address and your DNS', cause: error });
  }
  if (TLS_CERT_CODES.has(code)) {
    return new RootlessError(`TLS certificate of ${host} is not trusted (${detail})`, { remedy: TLS_REMEDY, cause: error });
  }
  if (isTlsProtocolError(error)) {
    return new RootlessError(`TLS handshake with ${host} failed (${detail}); it may be a plain-HTTP registry`, { remedy: TLS_REMEDY, cause: error });
  }
  return new RootlessError(`cannot reach ${host}: ${code || detail}`, { remedy: 'Check the network and the registry address', cause: error });
}

/** One request; resolves when the response headers arrive. */
export function send(request: HttpRequest): Promise<IncomingMessage> {
  const { url } = request;
  const secure = url.protocol === 'https:';
  const agent = !secure ? agents.http : request.tlsVerify ? agents.https : agents.httpsUnverified;
  const transport = secure ? https : http;
  return new Promise((resolve, reject) => {
    const headers = { 'User-Agent': USER_AGENT, ...request.headers };
    const outgoing = transport.request(url, { method: request.method ?? 'GET', headers, agent, timeout: IDLE_TIMEOUT_MS });
    outgoing.on('response', resolve);
    outgoing.on('timeout', () => outgoing.destroy(Object.assign(new Error(`no answer from ${url.host} for ${IDLE_TIMEOUT_MS / 1000}s`), { code: 'ETIMEDOUT' })));
    outgoing.on('error', reject);
    outgoing.end();
  });
}

export async function readBody(response: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of response) {
    length += (chunk as Buffer).length;
    if (length > limit) {
      response.destroy();
      throw new RootlessError(`the registry's answer is larger than ${limit} bytes`, { remedy: 'Check that the address points at an OCI registry' });
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Seconds or an HTTP date, capped; undefined when absent or unreadable. */
export function retryAfterMs(header: string | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const ms = /^\d+$/.test(header.trim()) ? Number(header.trim()) * 1000 : Date.parse(header) - now;
  if (Number.isNaN(ms)) return undefined;
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}

function isRetryableError(error: unknown): boolean {
  const code = errnoCode(error);
  return (code !== undefined && RETRY_CODES.has(code)) || (error instanceof Error && /socket hang up/i.test(error.message));
}

/**
 * Sends with retries and redirects. Retries happen only before a body is handed out, so a caller
 * never sees half a response twice. The Authorization header goes only to the original host.
 */
export async function sendFollowing(request: HttpRequest): Promise<{ response: IncomingMessage; url: URL }> {
  let url = request.url;
  let headers = request.headers ?? {};
  for (let redirects = 0; ; redirects++) {
    const response = await sendRetrying({ ...request, url, headers });
    const location = response.headers.location;
    if (!REDIRECT_STATUSES.has(response.statusCode ?? 0) || !location) return { response, url };
    response.resume();
    if (redirects >= MAX_REDIRECTS) {
      throw new RootlessError(`too many redirects from ${request.url.host} (last to ${location})`, { remedy: 'Check the registry or its proxy configuration' });
    }
    const next = new URL(location, url);
    if (next.host !== request.url.host) headers = withoutAuthorization(headers);
    url = next;
  }
}

function withoutAuthorization(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'authorization'));
}

async function sendRetrying(request: HttpRequest): Promise<IncomingMessage> {
  for (let attempt = 1; ; attempt++) {
    const backoff = FIRST_BACKOFF_MS * 2 ** (attempt - 1);
    let response: IncomingMessage;
    try {
      response = await send(request);
    } catch (error) {
      if (attempt >= MAX_TRIES || !isRetryableError(error)) throw networkError(error, request.url);
      await sleep(backoff);
      continue;
    }
    if (attempt >= MAX_TRIES || !RETRY_STATUSES.has(response.statusCode ?? 0)) return response;
    response.resume();
    await sleep(retryAfterMs(header(response, 'retry-after')) ?? backoff);
  }
}

export function header(response: IncomingMessage, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
