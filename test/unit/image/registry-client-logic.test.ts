// The registry client against small 127.0.0.1 servers for what docker-registry cannot do: token auth,
// redirects, failures and retries, digest checks, mirrors, TLS.
import fs from 'node:fs';
import type { ServerResponse } from 'node:http';
import { text } from 'node:stream/consumers';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { storeCredentials } from '../../../lib/image/auth.js';
import { MediaType } from '../../../lib/image/manifest.js';
import { verifyCredentials } from '../../../lib/image/registry.js';
import {
  basic, client, freePort, isolate, LAYER, MANIFEST, rejection, selfSignedCertificate, sha256, startServer, type TestServer,
} from './registry-fixtures.js';

// --- 127.0.0.1 servers playing token server, redirector, flaky registry and mirror -------------

const logic = suite('client logic against test servers');
let logicEnv: ReturnType<typeof isolate> | undefined;
const servers: TestServer[] = [];
const serve = async (handler: Parameters<typeof startServer>[0]): Promise<TestServer> => {
  const server = await startServer(handler);
  servers.push(server);
  return server;
};
logic.before.each(() => {
  logicEnv = isolate();
});
logic.after.each(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  logicEnv?.restore();
});

const MANIFEST_PATH = '/v2/test/app/manifests/v1';
const BLOB_PATH = `/v2/test/app/blobs/${sha256(LAYER)}`;

function sendManifest(response: ServerResponse, headers: Record<string, string> = {}): void {
  response.writeHead(200, { 'Content-Type': MediaType.ociManifest, 'Docker-Content-Digest': sha256(MANIFEST), ...headers });
  response.end(MANIFEST);
}

logic('Bearer: anonymous token fetched once per scope and shared by parallel requests', async () => {
  const registry = await serve((request, response, self) => {
    const url = new URL(request.url!, self.origin);
    if (url.pathname === '/token') {
      assert.is(url.searchParams.get('service'), 'fake');
      response.end(JSON.stringify({ access_token: `tok:${url.searchParams.get('scope')}`, expires_in: 300 }));
    } else if (request.headers.authorization !== 'Bearer tok:repository:test/app:pull') {
      response.writeHead(401, { 'WWW-Authenticate': `Bearer realm="${self.origin}/token",service="fake",scope="repository:test/app:pull"` });
      response.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
    } else if (url.pathname === MANIFEST_PATH || url.pathname === `/v2/test/app/manifests/${sha256(MANIFEST)}`) sendManifest(response);
    else if (url.pathname === BLOB_PATH) response.end(LAYER);
    else response.writeHead(404).end();
  });
  const address = `127.0.0.1:${registry.port}`;
  const registryClient = client(address);
  // in parallel, as the pull fetches layers: one ping, one token request
  const [byTag, byDigest, blob] = await Promise.all([
    registryClient.fetchManifest('test/app', 'v1'),
    registryClient.fetchManifest('test/app', sha256(MANIFEST)),
    registryClient.fetchBlob('test/app', sha256(LAYER)),
  ]);
  assert.is(byTag.digest, sha256(MANIFEST));
  assert.is(byDigest.digest, sha256(MANIFEST));
  assert.is(await text(blob.stream), LAYER.toString());
  assert.is(registry.requests.filter((request) => request.url === '/v2/').length, 1);
  const tokenRequests = registry.requests.filter((request) => request.url.startsWith('/token'));
  assert.is(tokenRequests.length, 1);
  assert.is(tokenRequests[0].headers.authorization, undefined, 'anonymous token requests carry no credentials');
});

logic('Bearer: credentials go to the token server; "token" replies are read; wrong ones are named', async () => {
  const registry = await serve((request, response, self) => {
    const url = new URL(request.url!, self.origin);
    if (url.pathname === '/token') {
      if (request.headers.authorization !== basic('alice', 'secret').Authorization) return void response.writeHead(401).end();
      response.end(JSON.stringify({ token: 'alice-token' }));
    } else if (request.headers.authorization !== 'Bearer alice-token') {
      response.writeHead(401, { 'WWW-Authenticate': `Bearer realm="${self.origin}/token",service="fake"` }).end();
    } else if (url.pathname === MANIFEST_PATH) sendManifest(response);
    else response.writeHead(200).end('{}');
  });
  const address = `127.0.0.1:${registry.port}`;
  const anonymous = await rejection(client(address).fetchManifest('test/app', 'v1'));
  assert.match(anonymous.line, new RegExp(`^authentication required for ${address}. Run \`rootless login ${address}\``));
  storeCredentials(address, { username: 'alice', password: 'secret' });
  assert.is((await client(address).fetchManifest('test/app', 'v1')).digest, sha256(MANIFEST));
  await verifyCredentials(address, { username: 'alice', password: 'secret' });
  const wrong = await rejection(verifyCredentials(address, { username: 'alice', password: 'guess' }));
  assert.match(wrong.message, /^wrong username or password for 127\.0\.0\.1:\d+$/);
});

logic('Bearer: a 401 naming another scope is answered once with a token for that scope', async () => {
  const wanted = 'repository:test/app:pull repository:test/base:pull';
  const registry = await serve((request, response, self) => {
    const url = new URL(request.url!, self.origin);
    if (url.pathname === '/token') return void response.end(JSON.stringify({ token: `tok:${url.searchParams.getAll('scope').join(' ')}` }));
    if (request.headers.authorization === `Bearer tok:${wanted}`) return sendManifest(response);
    const scope = url.pathname === '/v2/' ? '' : `,scope="${wanted}"`;
    response.writeHead(401, { 'WWW-Authenticate': `Bearer realm="${self.origin}/token",service="fake"${scope}` }).end();
  });
  assert.is((await client(`127.0.0.1:${registry.port}`).fetchManifest('test/app', 'v1')).digest, sha256(MANIFEST));
  const scopes = registry.requests.filter((request) => request.url.startsWith('/token')).map((request) => new URL(request.url, 'http://x').searchParams.getAll('scope'));
  assert.equal(scopes, [['repository:test/app:pull'], ['repository:test/app:pull', 'repository:test/base:pull']]);
});

logic('blobs follow redirects to another host without the Authorization header', async () => {
  const storage = await serve((_request, response) => response.end(LAYER));
  const registry = await serve((request, response) => {
    if (request.headers.authorization !== basic('bob', 'pw').Authorization) {
      return void response.writeHead(401, { 'WWW-Authenticate': 'Basic realm="fake"' }).end();
    }
    if (request.url === BLOB_PATH) return void response.writeHead(307, { Location: '/relocated' }).end();
    if (request.url === '/relocated') return void response.writeHead(302, { Location: `${storage.origin}/bucket/layer?sig=1` }).end();
    response.writeHead(200).end('{}');
  });
  const address = `127.0.0.1:${registry.port}`;
  storeCredentials(address, { username: 'bob', password: 'pw' });
  const { stream, size } = await client(address).fetchBlob('test/app', sha256(LAYER));
  assert.is(await text(stream), LAYER.toString());
  assert.is(size, LAYER.length);
  assert.ok(registry.requests.some((request) => request.url === '/relocated'), 'a same-host redirect keeps the credentials');
  assert.equal(storage.requests.map((request) => [request.url, request.headers.authorization]), [['/bucket/layer?sig=1', undefined]]);
});

logic('retries 503 and 429 (Retry-After) and a reset connection before the body, then succeeds', async () => {
  let manifestCalls = 0;
  const registry = await serve((request, response) => {
    if (request.url !== MANIFEST_PATH) return void response.writeHead(200).end('{}');
    manifestCalls++;
    if (manifestCalls === 1) return void request.socket.destroy();
    if (manifestCalls === 2) return void response.writeHead(503).end();
    if (manifestCalls === 3) return void response.writeHead(429, { 'Retry-After': '0' }).end();
    sendManifest(response);
  });
  const result = await client(`127.0.0.1:${registry.port}`).fetchManifest('test/app', 'v1');
  assert.is(result.digest, sha256(MANIFEST));
  assert.is(manifestCalls, 4);
});

logic('gives up after 4 tries and reports the status; 404 and 403 are not retried', async () => {
  const registry = await serve((request, response) => {
    if (request.url === MANIFEST_PATH) return void response.writeHead(500).end();
    if (request.url === BLOB_PATH) return void response.writeHead(403).end('{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}');
    response.writeHead(request.url === '/v2/' ? 200 : 404).end('{}');
  });
  const address = `127.0.0.1:${registry.port}`;
  const failing = await rejection(client(address).fetchManifest('test/app', 'v1'));
  assert.match(failing.line, new RegExp(`^${address} answered 500 Internal Server Error for manifest ${address}/test/app:v1. The registry is failing`));
  assert.is(registry.requests.filter((request) => request.url === MANIFEST_PATH).length, 4);
  const denied = await rejection(client(address).fetchBlob('test/app', sha256(LAYER)));
  assert.is(denied.message, `access to ${address}/test/app denied (requested access to the resource is denied)`);
  assert.is(registry.requests.filter((request) => request.url === BLOB_PATH).length, 1);
  await rejection(client(address).fetchManifest('test/app', 'v2'));
  assert.is(registry.requests.filter((request) => request.url === '/v2/test/app/manifests/v2').length, 1);
});

logic('manifest digests are checked; a missing content type is detected from content', async () => {
  const other = Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [] }));
  const registry = await serve((request, response) => {
    if (request.url === MANIFEST_PATH) return sendManifest(response, { 'Docker-Content-Digest': sha256(other) });
    if (request.url === '/v2/test/app/manifests/index') return void response.writeHead(200).end(other);
    if (request.url?.startsWith('/v2/test/app/manifests/sha256:')) return void response.writeHead(200).end(other);
    response.writeHead(200).end('{}');
  });
  const address = `127.0.0.1:${registry.port}`;
  const announced = await rejection(client(address).fetchManifest('test/app', 'v1'));
  assert.match(announced.message, new RegExp(`does not match its digest: expected ${sha256(other)}, got ${sha256(MANIFEST)}`));
  const byDigest = await rejection(client(address).fetchManifest('test/app', sha256(MANIFEST)));
  assert.match(byDigest.message, new RegExp(`expected ${sha256(MANIFEST)}, got ${sha256(other)}`));
  assert.equal(await client(address).fetchManifest('test/app', 'index'), { mediaType: MediaType.ociIndex, digest: sha256(other), bytes: other });
});

logic('mirrors from registries.conf come first; a dead or empty mirror falls back to the origin', async () => {
  const mirror = await serve((request, response) => {
    if (request.url === '/v2/cache/test/app/manifests/v1') return sendManifest(response);
    response.writeHead(request.url === '/v2/' ? 200 : 404).end('{}');
  });
  const origin = await serve((request, response) => {
    if (request.url === BLOB_PATH) return void response.end(LAYER);
    response.writeHead(request.url === '/v2/' ? 200 : 404).end('{}');
  });
  const dead = await freePort();
  fs.writeFileSync(
    process.env.ROOTLESS_REGISTRIES_CONF!,
    `[[registry]]\nlocation = "127.0.0.1:${origin.port}"\n[[registry.mirror]]\nlocation = "127.0.0.1:${dead}"\n[[registry.mirror]]\nlocation = "127.0.0.1:${mirror.port}/cache"\n`,
  );
  const registryClient = client(`127.0.0.1:${origin.port}`);
  assert.is((await registryClient.fetchManifest('test/app', 'v1')).digest, sha256(MANIFEST));
  assert.not.ok(origin.requests.some((request) => request.url.includes('/manifests/')), 'the manifest came from the mirror');
  assert.is(await text((await registryClient.fetchBlob('test/app', sha256(LAYER))).stream), LAYER.toString());
  assert.ok(mirror.requests.some((request) => request.url === `/v2/cache${BLOB_PATH.slice(3)}`), 'the mirror was asked for the blob first');
});

logic('TLS: an untrusted certificate is explained; --tls-verify=false and insecure registries accept it', async () => {
  const handler: Parameters<typeof startServer>[0] = (request, response) =>
    request.url === MANIFEST_PATH ? sendManifest(response) : void response.writeHead(200).end('{}');
  const secure = await startServer(handler, selfSignedCertificate(logicEnv!.dir));
  servers.push(secure);
  const address = `127.0.0.1:${secure.port}`;
  const untrusted = await rejection(client(address, { tlsVerify: true }).fetchManifest('test/app', 'v1'));
  assert.match(untrusted.line, new RegExp(`^TLS certificate of ${address} is not trusted \\(.*\\)\\. If you trust this registry, pass --tls-verify=false`));
  assert.is((await client(address, { tlsVerify: false }).fetchManifest('test/app', 'v1')).digest, sha256(MANIFEST));
  fs.writeFileSync(process.env.ROOTLESS_REGISTRIES_CONF!, `[[registry]]\nlocation = "${address}"\ninsecure = true\n`);
  assert.is((await client(address).fetchManifest('test/app', 'v1')).digest, sha256(MANIFEST));
  assert.ok(secure.requests.length >= 4, 'the requests went to the HTTPS server');

  const plainServer = await serve(handler);
  assert.is((await client(`127.0.0.1:${plainServer.port}`, { tlsVerify: false }).fetchManifest('test/app', 'v1')).digest, sha256(MANIFEST));
});

logic.run();
