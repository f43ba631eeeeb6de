// THROWAWAY STUB (not committed): stands in for the net helper's module to test pull.ts.
import { RootlessError } from '../errors.js';
export interface Platform { os: string; architecture: string; variant?: string }
export interface Descriptor { mediaType: string; digest: string; size: number; platform?: Platform }
export type ParsedManifest =
  | { kind: 'index'; mediaType: string; manifests: Descriptor[] }
  | { kind: 'image'; mediaType: string; config: Descriptor; layers: Descriptor[] };
export function parseManifest(bytes: Buffer, mediaType: string): ParsedManifest {
  const json = JSON.parse(bytes.toString());
  if (json.manifests) return { kind: 'index', mediaType, manifests: json.manifests };
  return { kind: 'image', mediaType, config: json.config, layers: json.layers };
}
export function hostPlatform(): Platform { return { os: 'linux', architecture: process.arch === 'x64' ? 'amd64' : process.arch }; }
export function parsePlatform(text: string): Platform { const [os, architecture, variant] = text.split('/'); return { os: os!, architecture: architecture!, variant }; }
export function selectPlatform(index: Descriptor[], wanted: Platform): Descriptor {
  const found = index.find((d) => d.platform?.os === wanted.os && d.platform?.architecture === wanted.architecture);
  if (!found) throw new RootlessError(`no ${wanted.os}/${wanted.architecture}`);
  return found;
}
export function layerCompression(mediaType: string): 'gzip' | 'zstd' | 'none' {
  if (mediaType.endsWith('gzip')) return 'gzip';
  if (mediaType.endsWith('zstd')) return 'zstd';
  if (mediaType.endsWith('tar')) return 'none';
  throw new RootlessError(`unsupported ${mediaType}`);
}
