// Image manifests and indexes, OCI and Docker schema2: parsing, layer compression, and choosing the
// platform of a multi-arch image the way Docker and Podman do.
import { RootlessError } from '../errors.js';
import { SHA256_DIGEST } from './reference.js';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
}
export type ParsedManifest =
  | { kind: 'index'; mediaType: string; manifests: Descriptor[] }
  | { kind: 'image'; mediaType: string; config: Descriptor; layers: Descriptor[] };

export const MediaType = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

/** The Accept header for manifest requests, most wanted first. */
export const MANIFEST_ACCEPT = [MediaType.ociIndex, MediaType.ociManifest, MediaType.dockerManifestList, MediaType.dockerManifest];

const INDEX_TYPES = new Set<string>([MediaType.ociIndex, MediaType.dockerManifestList]);
const IMAGE_TYPES = new Set<string>([MediaType.ociManifest, MediaType.dockerManifest]);

const LAYER_COMPRESSION: Record<string, 'gzip' | 'zstd' | 'none'> = {
  'application/vnd.oci.image.layer.v1.tar': 'none',
  'application/vnd.oci.image.layer.v1.tar+gzip': 'gzip',
  'application/vnd.oci.image.layer.v1.tar+zstd': 'zstd',
  'application/vnd.oci.image.layer.nondistributable.v1.tar': 'none',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip': 'gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd': 'zstd',
  'application/vnd.docker.image.rootfs.diff.tar.gzip': 'gzip',
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip': 'gzip',
};


function malformed(what: string): RootlessError {
  return new RootlessError(`malformed image manifest: ${what}`, {
    remedy: 'The registry sent a manifest rootless cannot read; re-push the image with a current tool (docker, podman, skopeo)',
  });
}

function schema1Error(): RootlessError {
  return new RootlessError('the image uses the Docker schema 1 manifest format, which is deprecated and not supported', {
    remedy: 'Re-push the image with a current Docker or Podman (or `skopeo copy --format v2s2`) to convert it',
  });
}

type Json = Record<string, unknown>;

function asObject(value: unknown, what: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed(`${what} is not an object`);
  return value as Json;
}

function parsePlatformField(value: unknown): Platform | undefined {
  if (value === undefined) return undefined;
  const object = asObject(value, 'platform');
  if (typeof object.os !== 'string' || typeof object.architecture !== 'string') throw malformed('platform needs os and architecture');
  return { os: object.os, architecture: object.architecture, ...(typeof object.variant === 'string' && object.variant ? { variant: object.variant } : {}) };
}

function parseDescriptor(value: unknown, what: string): Descriptor {
  const object = asObject(value, what);
  const { mediaType, digest, size } = object;
  if (typeof mediaType !== 'string') throw malformed(`${what} has no mediaType`);
  if (typeof digest !== 'string' || !SHA256_DIGEST.test(digest)) throw malformed(`${what} has no valid sha256 digest (got ${JSON.stringify(digest)})`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw malformed(`${what} has no valid size`);
  const platform = parsePlatformField(object.platform);
  return { mediaType, digest, size, ...(platform ? { platform } : {}) };
}

/** The document's own mediaType, else its shape: an index has `manifests`, an image `config`+`layers`. */
function detectMediaType(document: Json): string {
  if (typeof document.mediaType === 'string' && document.mediaType) return document.mediaType;
  if (document.schemaVersion === 1 || 'fsLayers' in document) return MediaType.dockerSchema1;
  if (Array.isArray(document.manifests)) return MediaType.ociIndex;
  if ('config' in document && Array.isArray(document.layers)) return MediaType.ociManifest;
  throw malformed('it is neither an image manifest nor an index');
}

function parseJson(bytes: Buffer): Json {
  try {
    return asObject(JSON.parse(bytes.toString('utf8')), 'the manifest');
  } catch (error) {
    if (error instanceof RootlessError) throw error;
    throw malformed(`it is not valid JSON (${(error as Error).message})`);
  }
}

const GENERIC_TYPES = new Set(['', 'application/json', 'text/plain', 'application/octet-stream', 'binary/octet-stream']);

/** A Content-Type without parameters; "" when it says nothing about manifests. */
function specificType(contentType: string): string {
  const type = contentType.split(';')[0].trim().toLowerCase();
  return GENERIC_TYPES.has(type) ? '' : type;
}

/** The manifest's media type: the registry's Content-Type, or when that is missing or generic, what the content says. */
export function manifestMediaType(bytes: Buffer, contentType: string): string {
  return specificType(contentType) || detectMediaType(parseJson(bytes));
}

/** Parses a manifest or index. `mediaType` is the registry's Content-Type; an empty or generic one is detected from content. */
export function parseManifest(bytes: Buffer, mediaType: string): ParsedManifest {
  const document = parseJson(bytes);
  const type = specificType(mediaType) || detectMediaType(document);
  if (type === MediaType.dockerSchema1 || type === MediaType.dockerSchema1Signed || document.schemaVersion === 1) throw schema1Error();
  if (INDEX_TYPES.has(type)) {
    if (!Array.isArray(document.manifests)) throw malformed('the index has no "manifests" list');
    return { kind: 'index', mediaType: type, manifests: document.manifests.map((item, i) => parseDescriptor(item, `manifests[${i}]`)) };
  }
  if (IMAGE_TYPES.has(type)) {
    if (!Array.isArray(document.layers)) throw malformed('the manifest has no "layers" list');
    return {
      kind: 'image',
      mediaType: type,
      config: parseDescriptor(document.config, 'config'),
      layers: document.layers.map((item, i) => parseDescriptor(item, `layers[${i}]`)),
    };
  }
  throw new RootlessError(`unsupported manifest type "${type}"`, {
    remedy: `rootless reads ${[...IMAGE_TYPES, ...INDEX_TYPES].join(', ')}`,
  });
}

export function layerCompression(mediaType: string): 'gzip' | 'zstd' | 'none' {
  const compression = LAYER_COMPRESSION[mediaType];
  if (compression) return compression;
  throw new RootlessError(`unsupported layer type "${mediaType}"`, {
    remedy: 'rootless unpacks tar layers, uncompressed or with gzip or zstd (OCI and Docker media types)',
  });
}

const NODE_ARCH: Record<string, Platform> = {
  x64: { os: 'linux', architecture: 'amd64' },
  arm64: { os: 'linux', architecture: 'arm64', variant: 'v8' },
  arm: { os: 'linux', architecture: 'arm', variant: 'v7' },
  ia32: { os: 'linux', architecture: '386' },
  ppc64: { os: 'linux', architecture: 'ppc64le' },
  s390x: { os: 'linux', architecture: 's390x' },
  riscv64: { os: 'linux', architecture: 'riscv64' },
  loong64: { os: 'linux', architecture: 'loong64' },
  mips: { os: 'linux', architecture: 'mips' },
  mipsel: { os: 'linux', architecture: 'mipsle' },
};

/** The OCI platform of this machine. Containers are Linux whatever Node says about the host. */
export function hostPlatform(arch: string = process.arch): Platform {
  const platform = NODE_ARCH[arch];
  if (platform) return { ...platform };
  return { os: 'linux', architecture: arch };
}

export function formatPlatform(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

const ARCH_ALIASES: Record<string, string> = { x86_64: 'amd64', 'x86-64': 'amd64', aarch64: 'arm64', i386: '386', armhf: 'arm', armel: 'arm' };

/** "linux/arm64", "linux/arm64/v8", "linux/arm/v7"; architectures as `uname -m` spells them are accepted too. */
export function parsePlatform(text: string): Platform {
  const parts = text.trim().toLowerCase().split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((part) => !/^[a-z0-9_.-]+$/.test(part))) {
    throw new RootlessError(`invalid platform "${text}"`, { remedy: 'Write OS/ARCH[/VARIANT], e.g. linux/amd64 or linux/arm64/v8' });
  }
  const [os, arch, variant] = parts;
  return { os, architecture: ARCH_ALIASES[arch] ?? arch, ...(variant ? { variant } : {}) };
}

/** arm64's only variant is v8; images usually leave it out. */
function normalVariant(platform: Platform): string | undefined {
  if (platform.architecture === 'arm64' && (!platform.variant || platform.variant === 'v8')) return undefined;
  return platform.variant || undefined;
}

/** Picks the manifest for `wanted`: same os and architecture, the exact variant preferred, else one without a variant. */
export function selectPlatform(index: Descriptor[], wanted: Platform): Descriptor {
  const candidates = index.filter(
    (entry) => entry.platform && entry.platform.os === wanted.os && entry.platform.architecture === wanted.architecture,
  );
  const wantedVariant = normalVariant(wanted);
  const exact = candidates.find((entry) => normalVariant(entry.platform!) === wantedVariant);
  const fallback = candidates.find((entry) => !entry.platform!.variant);
  // Without a wanted variant any variant will do (the first listed), as `docker pull --platform linux/arm` does.
  const chosen = exact ?? fallback ?? (wantedVariant === undefined ? candidates[0] : undefined);
  if (chosen) return chosen;
  const available = index.map((entry) => (entry.platform ? formatPlatform(entry.platform) : 'unknown')).filter((p) => p !== 'unknown/unknown');
  throw new RootlessError(`no image for platform ${formatPlatform(wanted)} in this image index (it has: ${[...new Set(available)].join(', ') || 'nothing'})`, {
    remedy: 'Pick one of those with --platform OS/ARCH[/VARIANT]',
  });
}
