// Test fixtures for the registry client: a real Debian docker-registry process on 127.0.0.1 (plain
// or htpasswd basic auth), plain-HTTP pushes to it, and small 127.0.0.1 servers that play the parts
// docker-registry cannot (token server, redirector, flaky registry).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as assert from 'uvu/assert';
import { RootlessError } from '../../../lib/errors.js';
import { MediaType } from '../../../lib/image/manifest.js';
import { parseReference } from '../../../lib/image/reference.js';
import { RegistryClient } from '../../../lib/image/registry.js';

export const sha256 = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const running = new Map<ChildProcess, string>();
// A crashed test run must not leave registries behind: kill what still runs when the process exits.
process.on('exit', () =>
  running.forEach((dir, child) => {
    child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }),
);

export interface LocalRegistry {
  address: string;
  stop(): Promise<void>;
}

export async function startDockerRegistry(basicAuth?: { username: string; password: string }): Promise<LocalRegistry> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rootless-registry-'));
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  let auth = '';
  if (basicAuth) {
    const htpasswd = path.join(dir, 'htpasswd');
    fs.writeFileSync(htpasswd, execFileSync('htpasswd', ['-Bbn', basicAuth.username, basicAuth.password]));
    auth = `auth:\n  htpasswd:\n    realm: test\n    path: ${htpasswd}\n`;
  }
  const config = path.join(dir, 'config.yml');
  fs.writeFileSync(config, `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\nhttp:\n  addr: ${address}\n${auth}`);
  const log = fs.openSync(path.join(dir, 'log'), 'w');
  // docker-registry reads REGISTRY_* variables as configuration (REGISTRY_AUTH_FILE would become auth.file).
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('REGISTRY_')));
  const child = spawn('/usr/bin/docker-registry', ['serve', config], { stdio: ['ignore', log, log], env });
  fs.closeSync(log);
  running.set(child, dir);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    running.delete(child);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) break;
    try {
      await fetch(`http://${address}/v2/`);
      return { address, stop };
    } catch {
      await sleep(50);
    }
  }
  const output = fs.readFileSync(path.join(dir, 'log'), 'utf8');
  await stop();
  throw new Error(`docker-registry did not start on ${address}: ${output}`);
}

/** Monolithic blob upload: POST an upload, PUT its Location with ?digest=. */
export async function pushBlob(address: string, repository: string, bytes: Buffer, headers: Record<string, string> = {}): Promise<string> {
  const digest = sha256(bytes);
  const start = await fetch(`http://${address}/v2/${repository}/blobs/uploads/`, { method: 'POST', headers });
  if (start.status !== 202) throw new Error(`upload start: ${start.status} ${await start.text()}`);
  const location = new URL(start.headers.get('location')!, `http://${address}`);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, { method: 'PUT', headers: { ...headers, 'Content-Type': 'application/octet-stream' }, body: new Uint8Array(bytes) });
  if (put.status !== 201) throw new Error(`upload: ${put.status} ${await put.text()}`);
  return digest;
}

export async function pushManifest(address: string, repository: string, tag: string, manifest: Buffer, mediaType: string, headers: Record<string, string> = {}): Promise<void> {
  const put = await fetch(`http://${address}/v2/${repository}/manifests/${tag}`, { method: 'PUT', headers: { ...headers, 'Content-Type': mediaType }, body: new Uint8Array(manifest) });
  if (put.status !== 201) throw new Error(`manifest push: ${put.status} ${await put.text()}`);
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

export interface TestServer {
  port: number;
  origin: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** A self-signed certificate for 127.0.0.1, made with openssl. */
export function selfSignedCertificate(dir: string): { key: Buffer; cert: Buffer } {
  const [key, cert] = [path.join(dir, 'key.pem'), path.join(dir, 'cert.pem')];
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert,
    '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  return { key: fs.readFileSync(key), cert: fs.readFileSync(cert) };
}

export async function startServer(
  handler: (request: http.IncomingMessage, response: http.ServerResponse, server: TestServer) => void,
  tls?: { key: Buffer; cert: Buffer },
): Promise<TestServer> {
  const httpServer = tls ? https.createServer(tls) : http.createServer();
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = httpServer.address() as net.AddressInfo;
  const server: TestServer = {
    port,
    origin: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests: [],
    close: () => {
      httpServer.closeAllConnections();
      return new Promise((resolve) => httpServer.close(() => resolve()));
    },
  };
  httpServer.on('request', (request: http.IncomingMessage, response: http.ServerResponse) => {
    server.requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
    handler(request, response, server);
  });
  return server;
}

// --- shared by the registry client tests ---

export const LAYER = Buffer.from('layer bytes '.repeat(30_000));
export const CONFIG = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
const descriptor = (mediaType: string, bytes: Buffer) => ({ mediaType, digest: sha256(bytes), size: bytes.length });
export const MANIFEST = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: descriptor('application/vnd.oci.image.config.v1+json', CONFIG),
    layers: [descriptor('application/vnd.oci.image.layer.v1.tar+gzip', LAYER)],
  }),
);
export const basic = (user: string, password: string): Record<string, string> => ({ Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

/** Each suite gets its own HOME, auth file and registries.conf; the process environment is restored after. */
export function isolate(): { dir: string; restore(): void } {
  const saved = { ...process.env };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rootless-client-'));
  Object.assign(process.env, { HOME: dir, REGISTRY_AUTH_FILE: path.join(dir, 'auth.json'), ROOTLESS_REGISTRIES_CONF: path.join(dir, 'registries.conf') });
  return {
    dir,
    restore() {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function rejection(promise: Promise<unknown>): Promise<RootlessError> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, RootlessError);
    return error as RootlessError;
  }
  throw new Error('expected a rejection');
}

/**
 * uvu swallows errors thrown by `before` hooks (the suite then passes with 0 tests run), so setup
 * failures are kept and rethrown by every test of the suite.
 */
export function guardedSetup(target: { before: (hook: () => Promise<void>) => void } & { before: { each: (hook: () => void) => void } }, setup: () => Promise<void>): void {
  let failure: unknown;
  target.before(async () => {
    try {
      await setup();
    } catch (error) {
      failure = error;
    }
  });
  target.before.each(() => {
    if (failure) throw failure;
  });
}

export const client = (address: string, options = {}): RegistryClient => RegistryClient.for(parseReference(`${address}/test/app:v1`), options);

