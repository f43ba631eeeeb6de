// Registry authentication challenges (RFC 7235 `WWW-Authenticate`) and the Docker token protocol:
// a 401 names a realm; a token for a scope ("repository:library/alpine:pull") is fetched there,
// anonymously or with Basic credentials, and reused for the rest of the process.
import { RootlessError } from '../errors.js';
import type { Credentials } from './auth.js';
import { header, readBody, sendFollowing } from './http.js';

export interface Challenge {
  scheme: string; // lowercase: "bearer", "basic"
  params: Record<string, string>; // keys lowercase
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/;

function malformedChallenge(text: string): RootlessError {
  return new RootlessError(`malformed WWW-Authenticate header from the registry: ${text}`, { remedy: 'Report this to the registry operator' });
}

/** Parses one or more challenges: `Bearer realm="…",service="…",scope="…", Basic realm="…"`. */
export function parseWwwAuthenticate(text: string): Challenge[] {
  const challenges: Challenge[] = [];
  let rest = text;
  const take = (pattern: RegExp): string | undefined => {
    const match = rest.match(pattern);
    if (match) rest = rest.slice(match[0].length);
    return match?.[0];
  };
  for (;;) {
    take(/^[\s,]+/);
    if (!rest) return challenges;
    const word = take(TOKEN);
    if (!word) throw malformedChallenge(text);
    if (take(/^\s*=\s*(?=["!#$%&'*+.^_`|~0-9A-Za-z-])/) !== undefined) {
      // name=value belongs to the challenge before it
      const current = challenges[challenges.length - 1];
      if (!current) throw malformedChallenge(text);
      const quoted = take(/^"(?:[^"\\]|\\.)*"/);
      const value = quoted !== undefined ? quoted.slice(1, -1).replace(/\\(.)/g, '$1') : take(TOKEN);
      if (value === undefined) throw malformedChallenge(text);
      current.params[word.toLowerCase()] = value;
    } else if (take(/^=+/) === undefined) {
      challenges.push({ scheme: word.toLowerCase(), params: {} });
    } // else: the padding of a token68 credential (e.g. Negotiate), which registries do not use
  }
}

export function basicAuthorization(credentials: Credentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
}

interface CachedToken {
  token: Promise<string>;
  expiresAt: number;
}

const tokens = new Map<string, CachedToken>();
const DEFAULT_TOKEN_LIFETIME_S = 60;
const TOKEN_REPLY_LIMIT = 1024 * 1024;

export interface TokenRequest {
  challenge: Challenge;
  scope?: string; // "repository:NAME:pull"; none for login checks
  credentials?: Credentials;
  registry: string; // for messages
  tlsVerify: boolean;
}

/** The 401 error: credentials missing, or refused. `what` names the repository when one was asked for. */
export function authenticationError(registry: string, credentialsSent: boolean, what?: string): RootlessError {
  if (credentialsSent) {
    return new RootlessError(`wrong username or password for ${registry}${what ? `, or no access to ${what}` : ''}`, {
      remedy: `Check the username and password (\`rootless login ${registry}\` stores new ones)`,
    });
  }
  return new RootlessError(`authentication required for ${registry}${what ? ` (to read ${what}; or it does not exist)` : ''}`, {
    remedy: `Run \`rootless login ${registry}\``,
  });
}

/**
 * A bearer token for the challenge's realm and the scope, from the process-wide cache or the token
 * server. Parallel layer downloads asking at once share one token request.
 */
export function bearerToken(request: TokenRequest): Promise<string> {
  const { challenge, scope, credentials } = request;
  const key = JSON.stringify([challenge.params.realm, challenge.params.service ?? '', scope ?? '', credentials?.username ?? '', credentials?.password ?? '']);
  const cached = tokens.get(key);
  if (cached && cached.expiresAt > Date.now()) return cached.token;
  const token = fetchToken(request).then(
    ({ token, lifetime }) => {
      // Renew a little early so a token does not expire between being read and being used.
      tokens.set(key, { token: Promise.resolve(token), expiresAt: Date.now() + Math.max(lifetime - 10, 1) * 1000 });
      return token;
    },
    (error: unknown) => {
      tokens.delete(key);
      throw error;
    },
  );
  tokens.set(key, { token, expiresAt: Infinity });
  return token;
}

async function fetchToken(request: TokenRequest): Promise<{ token: string; lifetime: number }> {
  const { challenge, scope, credentials, registry } = request;
  const realm = challenge.params.realm;
  if (!realm) throw new RootlessError(`${registry} asked for a bearer token without naming a realm`, { remedy: 'Report this to the registry operator' });
  let url: URL;
  try {
    url = new URL(realm);
  } catch (error) {
    throw new RootlessError(`${registry} named an invalid token realm "${realm}"`, { remedy: 'Report this to the registry operator', cause: error });
  }
  if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
  for (const single of (scope ?? '').split(' ').filter(Boolean)) url.searchParams.append('scope', single);
  const headers: Record<string, string> = credentials ? { Authorization: basicAuthorization(credentials) } : {};

  const { response } = await sendFollowing({ url, headers, tlsVerify: request.tlsVerify });
  const body = await readBody(response, TOKEN_REPLY_LIMIT);
  const status = response.statusCode ?? 0;
  if (status === 401 || status === 403) throw authenticationError(registry, credentials !== undefined);
  if (status !== 200) {
    throw new RootlessError(`token server ${url.host} for ${registry} answered ${status} ${response.statusMessage ?? ''}`.trim(), {
      remedy: 'Try again later; if it persists, check the registry',
    });
  }
  let reply: { token?: unknown; access_token?: unknown; expires_in?: unknown };
  try {
    reply = JSON.parse(body.toString('utf8')) as typeof reply;
  } catch (error) {
    throw new RootlessError(`token server ${url.host} sent invalid JSON (content type ${header(response, 'content-type') ?? 'none'})`, {
      remedy: 'Check that the registry address is right',
      cause: error,
    });
  }
  const token = typeof reply.token === 'string' && reply.token ? reply.token : reply.access_token;
  if (typeof token !== 'string' || !token) {
    throw new RootlessError(`token server ${url.host} sent no token`, { remedy: 'Check that the registry address is right' });
  }
  return { token, lifetime: typeof reply.expires_in === 'number' && reply.expires_in > 0 ? reply.expires_in : DEFAULT_TOKEN_LIFETIME_S };
}
