// The registry client against a real docker-registry on 127.0.0.1, plain and behind htpasswd basic auth.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readCredentials, storeCredentials } from '../../../lib/image/auth.js';
import { MediaType } from '../../../lib/image/manifest.js';
import { verifyCredentials } from '../../../lib/image/registry.js';
import {
  basic, client, CONFIG, freePort, guardedSetup, isolate, LAYER, type LocalRegistry, MANIFEST, pushBlob, pushManifest, rejection, sha256, startDockerRegistry,
} from './registry-fixtures.js';

// --- a real docker-registry, plain HTTP ---------------------------------------------------------

const plain = suite('docker-registry, plain');
let registry: LocalRegistry | undefined;
let plainEnv: ReturnType<typeof isolate> | undefined;

guardedSetup(plain, async () => {
  plainEnv = isolate();
  registry = await startDockerRegistry();
  await pushBlob(registry.address, 'test/app', CONFIG);
  await pushBlob(registry.address, 'test/app', LAYER);
  await pushManifest(registry.address, 'test/app', 'v1', MANIFEST, MediaType.ociManifest);
});
plain.after(async () => {
  await registry?.stop();
  plainEnv?.restore();
});

plain('fetches a manifest by tag and by digest, with its digest and media type', async () => {
  const byTag = await client(registry!.address).fetchManifest('test/app', 'v1');
  assert.equal(byTag, { mediaType: MediaType.ociManifest, digest: sha256(MANIFEST), bytes: MANIFEST });
  const byDigest = await client(registry!.address).fetchManifest('test/app', sha256(MANIFEST));
  assert.is(byDigest.digest, sha256(MANIFEST));
});

plain('streams a blob with its size', async () => {
  const { stream, size } = await client(registry!.address).fetchBlob('test/app', sha256(LAYER));
  assert.is(size, LAYER.length);
  assert.is(await text(stream), LAYER.toString());
});

plain('names what is missing: tag, repository, blob', async () => {
  const address = registry!.address;
  const tag = await rejection(client(address).fetchManifest('test/app', 'nope'));
  assert.is(tag.message, `image ${address}/test/app:nope not found in ${address} (manifest unknown)`);
  const repository = await rejection(client(address).fetchManifest('test/other', 'v1'));
  assert.match(repository.message, new RegExp(`^image ${address}/test/other:v1 not found in ${address} \\(`));
  const blob = await rejection(client(address).fetchBlob('test/app', sha256(Buffer.from('absent'))));
  assert.match(blob.message, new RegExp(`blob ${sha256(Buffer.from('absent'))} of ${address}/test/app not found`));
  assert.match((await rejection(client(address).fetchBlob('test/app', 'sha256:../../x'))).message, /invalid blob digest/);
});

plain('connection refused names the registry and the likely fix', async () => {
  const address = `127.0.0.1:${await freePort()}`;
  const error = await rejection(client(address).fetchManifest('test/app', 'v1'));
  assert.is(error.line, `cannot reach ${address}: connection refused. Is the registry running? Check the address and port`);
});

plain('HTTPS demanded of a plain-HTTP registry explains the TLS failure and the fix', async () => {
  const error = await rejection(client(registry!.address, { tlsVerify: true }).fetchManifest('test/app', 'v1'));
  assert.match(error.line, /TLS handshake with 127\.0\.0\.1:\d+ failed .*--tls-verify=false/);
});

plain.run();

// --- a real docker-registry with htpasswd basic auth --------------------------------------------

const basicAuth = suite('docker-registry, basic auth');
let secured: LocalRegistry | undefined;
let basicEnv: ReturnType<typeof isolate> | undefined;
const USER = { username: 'testuser', password: 'testpassword' };

guardedSetup(basicAuth, async () => {
  basicEnv = isolate();
  secured = await startDockerRegistry(USER);
  const auth = basic(USER.username, USER.password);
  await pushBlob(secured.address, 'test/app', CONFIG, auth);
  await pushBlob(secured.address, 'test/app', LAYER, auth);
  await pushManifest(secured.address, 'test/app', 'v1', MANIFEST, MediaType.ociManifest, auth);
});
basicAuth.after(async () => {
  await secured?.stop();
  basicEnv?.restore();
});

basicAuth('without credentials: authentication required, run rootless login', async () => {
  const error = await rejection(client(secured!.address).fetchManifest('test/app', 'v1'));
  assert.match(error.line, new RegExp(`^authentication required for ${secured!.address}.*Run \`rootless login ${secured!.address}\``));
});

basicAuth('with wrong stored credentials: wrong username or password', async () => {
  storeCredentials(secured!.address, { username: 'testuser', password: 'wrong' });
  const error = await rejection(client(secured!.address).fetchManifest('test/app', 'v1'));
  assert.match(error.message, /^wrong username or password for 127\.0\.0\.1:\d+/);
});

basicAuth('with stored credentials: manifest and blob', async () => {
  storeCredentials(secured!.address, USER);
  const registryClient = client(secured!.address);
  assert.is((await registryClient.fetchManifest('test/app', 'v1')).digest, sha256(MANIFEST));
  const { stream } = await registryClient.fetchBlob('test/app', sha256(LAYER));
  assert.is(sha256(Buffer.from(await text(stream))), sha256(LAYER));
});

basicAuth('verifyCredentials accepts the right password and refuses a wrong one', async () => {
  await verifyCredentials(secured!.address, USER);
  const error = await rejection(verifyCredentials(secured!.address, { username: 'testuser', password: 'nope' }));
  assert.match(error.message, /^wrong username or password for/);
});

basicAuth('rootless login / logout store and remove the credentials', async () => {
  const bin = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../../bin/rootless');
  fs.rmSync(process.env.REGISTRY_AUTH_FILE!, { force: true });
  const run = (args: string[], input: string) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, [bin, ...args], { env: process.env }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
      );
      child.stdin!.end(input);
    });
  const refused = await run(['login', '-u', 'testuser', '--password-stdin', secured!.address], 'bad\n');
  assert.is(refused.code, 125);
  assert.match(refused.stderr, /^Error: wrong username or password for 127\.0\.0\.1:\d+/);
  assert.is(readCredentials(secured!.address), undefined, 'refused credentials are not stored');

  const accepted = await run(['login', '-u', 'testuser', '--password-stdin', secured!.address], 'testpassword\n');
  assert.is(accepted.stdout, 'Login Succeeded!\n');
  assert.equal(readCredentials(secured!.address), USER);
  assert.is(fs.statSync(process.env.REGISTRY_AUTH_FILE!).mode & 0o777, 0o600);

  const out = await run(['logout', secured!.address], '');
  assert.is(out.code, 0);
  assert.is(readCredentials(secured!.address), undefined);
  const again = await run(['logout', secured!.address], '');
  assert.is(again.code, 125);
  assert.match(again.stderr, /not logged in to 127\.0\.0\.1:\d+/);
});

basicAuth.run();
