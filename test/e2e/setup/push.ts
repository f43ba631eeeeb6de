// A minimal registry push client (distribution spec): monolithic blob uploads and manifest PUTs.
// Only for the test setup, against the local registries.
import { sha256 } from './layers.js';

export interface Pusher {
  pushBlob(repository: string, data: Buffer): Promise<string>;
  pushManifest(repository: string, tagOrDigest: string, manifest: Buffer, mediaType: string): Promise<string>;
}

export function registryPusher(address: string, credentials?: { username: string; password: string }): Pusher {
  const base = `http://${address}`;
  const headers: Record<string, string> = {};
  if (credentials) {
    headers.authorization = 'Basic ' + Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
  }

  async function request(method: string, url: string, body?: Buffer, extra: Record<string, string> = {}): Promise<Response> {
    const response = await fetch(new URL(url, base), {
      method,
      headers: { ...headers, ...extra },
      body: body ? new Uint8Array(body) : undefined,
      redirect: 'manual',
    });
    return response;
  }

  async function expectStatus(response: Response, expected: number[], what: string): Promise<void> {
    if (expected.includes(response.status)) return;
    const text = await response.text().catch(() => '');
    throw new Error(`${what}: HTTP ${response.status} ${text.slice(0, 300)}`);
  }

  return {
    async pushBlob(repository, data) {
      const digest = sha256(data);
      const head = await request('HEAD', `/v2/${repository}/blobs/${digest}`);
      if (head.status === 200) return digest;
      const start = await request('POST', `/v2/${repository}/blobs/uploads/`);
      await expectStatus(start, [202], `start upload to ${repository}`);
      const location = start.headers.get('location');
      if (!location) throw new Error(`upload to ${repository}: no Location header`);
      const url = new URL(location, base);
      url.searchParams.set('digest', digest);
      const put = await request('PUT', url.toString(), data, {
        'content-type': 'application/octet-stream',
        'content-length': String(data.length),
      });
      await expectStatus(put, [201], `upload ${digest} to ${repository}`);
      return digest;
    },

    async pushManifest(repository, tagOrDigest, manifest, mediaType) {
      const put = await request('PUT', `/v2/${repository}/manifests/${tagOrDigest}`, manifest, { 'content-type': mediaType });
      await expectStatus(put, [201], `put manifest ${repository}:${tagOrDigest}`);
      const digest = sha256(manifest);
      const told = put.headers.get('docker-content-digest');
      if (told && told !== digest) throw new Error(`registry computed ${told} for a manifest whose digest is ${digest}`);
      return digest;
    },
  };
}

/** Waits until GET /v2/ answers (200, or 401 behind auth); bounded. */
export async function waitForRegistry(address: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(`http://${address}/v2/`);
      await response.arrayBuffer();
      if (response.status === 200 || response.status === 401) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`registry ${address} did not answer /v2/ within ${timeoutMs / 1000}s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
