import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isTlsProtocolError, networkError, retryAfterMs } from '../../../lib/image/http.js';

const failure = (code: string, message = code): Error => Object.assign(new Error(message), { code });
const url = new URL('https://registry.example:5000/v2/');

test('Retry-After: seconds or an HTTP date, capped at 10 s', () => {
  assert.is(retryAfterMs('3'), 3000);
  assert.is(retryAfterMs('0'), 0);
  assert.is(retryAfterMs('3600'), 10_000);
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.is(retryAfterMs('Thu, 01 Jan 2026 00:00:02 GMT', now), 2000);
  assert.is(retryAfterMs('Wed, 31 Dec 2025 00:00:00 GMT', now), 0);
  assert.is(retryAfterMs('soon'), undefined);
  assert.is(retryAfterMs(undefined), undefined);
});

test('network errors name the registry, the cause and the fix', () => {
  assert.is(networkError(failure('ECONNREFUSED'), url).line, 'cannot reach registry.example:5000: connection refused. Is the registry running? Check the address and port');
  assert.match(networkError(failure('ENOTFOUND'), url).line, /^cannot reach registry\.example:5000: the host name does not resolve\. Check/);
  const expired = networkError(failure('CERT_HAS_EXPIRED', 'certificate has expired'), url);
  assert.is(expired.line, 'TLS certificate of registry.example:5000 is not trusted (certificate has expired). If you trust this registry, pass --tls-verify=false or mark it `insecure = true` in registries.conf');
  assert.match(networkError(failure('ERR_SSL_WRONG_VERSION_NUMBER', 'wrong version number'), url).line, /TLS handshake with registry\.example:5000 failed \(wrong version number\); it may be a plain-HTTP registry\. If you trust/);
  assert.match(networkError(failure('EHOSTUNREACH'), url).line, /^cannot reach registry\.example:5000: EHOSTUNREACH\. Check the network/);
  assert.ok(isTlsProtocolError(failure('EPROTO')));
  assert.not.ok(isTlsProtocolError(failure('ECONNRESET')));
});

test.run();
