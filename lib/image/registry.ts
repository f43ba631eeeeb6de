// THROWAWAY STUB (not committed): stands in for the net helper's module to test pull.ts.
import { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import type { ImageReference } from './reference.js';
export interface RegistryOptions { tlsVerify?: boolean }
const ACCEPT = ['application/vnd.oci.image.index.v1+json', 'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json', 'application/vnd.docker.distribution.manifest.list.v2+json'].join(', ');
export class RegistryClient {
  private constructor(private readonly base: string) {}
  static for(ref: ImageReference, _options?: RegistryOptions): RegistryClient { return new RegistryClient(`http://${ref.registry}/v2/`); }
  async fetchManifest(repository: string, reference: string) {
    const res = await fetch(`${this.base}${repository}/manifests/${reference}`, { headers: { accept: ACCEPT } });
    if (!res.ok) throw new Error(`manifest ${res.status}`);
    return { mediaType: res.headers.get('content-type') ?? '', digest: res.headers.get('docker-content-digest') ?? '', bytes: Buffer.from(await res.arrayBuffer()) };
  }
  async fetchBlob(repository: string, digest: string) {
    const res = await fetch(`${this.base}${repository}/blobs/${digest}`);
    if (!res.ok) throw new Error(`blob ${res.status}`);
    return { stream: Readable.fromWeb(res.body as ReadableStream), size: Number(res.headers.get('content-length')) };
  }
}
