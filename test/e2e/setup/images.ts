// Assembles images (layers → config → manifest) and pushes them; the media types are the ones
// real registries serve: OCI, Docker schema2, and OCI indexes for multi-arch images.
import type { ImageInfo, LayerInfo, MultiArchInfo } from './env.js';
import { gzip, sha256, zstd } from './layers.js';
import type { Pusher } from './push.js';

export const MEDIA = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

export interface Layer {
  /** The uncompressed tar. */
  tar: Buffer;
  /** The blob as pushed. */
  blob: Buffer;
  compression: 'gzip' | 'zstd';
  /** history[].created_by of this layer. */
  createdBy: string;
}

export function gzipLayer(tar: Buffer, createdBy: string, blob = gzip(tar)): Layer {
  return { tar, blob, compression: 'gzip', createdBy };
}

export function zstdLayer(tar: Buffer, createdBy: string): Layer {
  return { tar, blob: zstd(tar), compression: 'zstd', createdBy };
}

export interface ImageSpec {
  layers: Layer[];
  architecture: string;
  variant?: string;
  format: 'oci' | 'docker';
  /** A label that makes each test image's config (and so its id) distinct. */
  label: string;
  /** Replaces the diff_ids computed from the layers (for the image whose config lies). */
  diffIDs?: string[];
  /** EXPOSE of the image (`80/tcp`), for `run -P`. */
  exposedPorts?: string[];
}

const CREATED = '2024-09-06T12:00:00Z';
const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function layerMediaType(format: ImageSpec['format'], layer: Layer): string {
  if (format === 'docker') return MEDIA.dockerLayerGzip;
  return layer.compression === 'zstd' ? MEDIA.ociLayerZstd : MEDIA.ociLayerGzip;
}

function imageConfig(spec: ImageSpec): Buffer {
  const config = {
    created: CREATED,
    architecture: spec.architecture,
    ...(spec.variant ? { variant: spec.variant } : {}),
    os: 'linux',
    config: {
      Env: [PATH_ENV],
      Cmd: ['/bin/sh'],
      Labels: { 'org.rootless.test': spec.label },
      ...(spec.exposedPorts ? { ExposedPorts: Object.fromEntries(spec.exposedPorts.map((port) => [port, {}])) } : {}),
    },
    rootfs: { type: 'layers', diff_ids: spec.diffIDs ?? spec.layers.map((layer) => sha256(layer.tar)) },
    history: spec.layers.map((layer) => ({ created: CREATED, created_by: layer.createdBy })),
  };
  return Buffer.from(JSON.stringify(config));
}

function splitReference(reference: string): { repository: string; tag: string; address: string; name: string } {
  const colon = reference.lastIndexOf(':');
  const repository = reference.slice(0, colon);
  const slash = repository.indexOf('/');
  return { repository, tag: reference.slice(colon + 1), address: repository.slice(0, slash), name: repository.slice(slash + 1) };
}

/** Pushes layers, config and manifest; the manifest under `tag`, or by digest only when tag is undefined. */
async function pushManifestOf(pusher: Pusher, name: string, spec: ImageSpec, tag: string | undefined) {
  const layers: LayerInfo[] = [];
  for (const layer of spec.layers) {
    const digest = await pusher.pushBlob(name, layer.blob);
    layers.push({ digest, diffID: sha256(layer.tar), mediaType: layerMediaType(spec.format, layer), size: layer.blob.length });
  }
  const config = imageConfig(spec);
  const configDigest = await pusher.pushBlob(name, config);
  const manifestMediaType = spec.format === 'oci' ? MEDIA.ociManifest : MEDIA.dockerManifest;
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: manifestMediaType,
      config: { mediaType: spec.format === 'oci' ? MEDIA.ociConfig : MEDIA.dockerConfig, digest: configDigest, size: config.length },
      layers: layers.map(({ mediaType, digest, size }) => ({ mediaType, digest, size })),
    }),
  );
  const manifestDigest = await pusher.pushManifest(name, tag ?? sha256(manifest), manifest, manifestMediaType);
  return { manifest, manifestDigest, manifestMediaType, configDigest, layers };
}

type Pushed = Awaited<ReturnType<typeof pushManifestOf>>;

function imageInfo(reference: string, repository: string, tag: string, spec: ImageSpec, pushed: Pushed): ImageInfo {
  return {
    reference,
    repository,
    tag,
    manifestDigest: pushed.manifestDigest,
    manifestMediaType: pushed.manifestMediaType,
    configDigest: pushed.configDigest,
    architecture: spec.architecture,
    ...(spec.variant ? { variant: spec.variant } : {}),
    layers: pushed.layers,
  };
}

export async function pushImage(pusher: Pusher, reference: string, spec: ImageSpec): Promise<ImageInfo> {
  const { repository, tag, name } = splitReference(reference);
  return imageInfo(reference, repository, tag, spec, await pushManifestOf(pusher, name, spec, tag));
}

/** Pushes one OCI manifest per spec by digest, then an OCI index naming them under the tag. */
export async function pushIndex(pusher: Pusher, reference: string, specs: ImageSpec[]): Promise<MultiArchInfo> {
  const { repository, tag, name } = splitReference(reference);
  const manifests: Record<string, ImageInfo> = {};
  const entries = [];
  for (const spec of specs) {
    const pushed = await pushManifestOf(pusher, name, spec, undefined);
    const platform = { architecture: spec.architecture, os: 'linux', ...(spec.variant ? { variant: spec.variant } : {}) };
    entries.push({ mediaType: pushed.manifestMediaType, digest: pushed.manifestDigest, size: pushed.manifest.length, platform });
    manifests[spec.architecture] = imageInfo(`${repository}@${pushed.manifestDigest}`, repository, tag, spec, pushed);
  }
  const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests: entries }));
  const indexDigest = await pusher.pushManifest(name, tag, index, MEDIA.ociIndex);
  return { reference, repository, tag, indexDigest, manifests };
}
