// What the test setup tells the e2e tests: a JSON file whose path is in $ROOTLESS_E2E_ENV.
import { readFileSync } from 'node:fs';

export interface LayerInfo {
  /** Digest of the blob as pushed (compressed). */
  digest: string;
  /** Digest of the uncompressed tar: the image config's rootfs.diff_ids entry. */
  diffID: string;
  mediaType: string;
  size: number;
}

/** One platform-specific image: a manifest, its config and layers. */
export interface ImageInfo {
  /** Pullable reference, e.g. 127.0.0.1:5000/test/alpine:3.20 */
  reference: string;
  /** Repository part of the reference, e.g. 127.0.0.1:5000/test/alpine */
  repository: string;
  tag: string;
  manifestDigest: string;
  manifestMediaType: string;
  /** Config digest: Docker's image id. */
  configDigest: string;
  architecture: string;
  variant?: string;
  layers: LayerInfo[];
}

export interface MultiArchInfo {
  reference: string;
  repository: string;
  tag: string;
  indexDigest: string;
  /** Keyed by architecture (amd64, arm64). */
  manifests: Record<string, ImageInfo>;
}

export interface RegistryInfo {
  /** host:port */
  address: string;
  pid: number;
  /** The registry's storage rootdirectory (blobs under docker/registry/v2/blobs/sha256/xx/<hex>/data). */
  storage: string;
  log: string;
  username?: string;
  password?: string;
}

export interface E2EEnv {
  registries: { plain: RegistryInfo; auth: RegistryInfo };
  /** Which base rootfs the images were built from: Alpine's minirootfs fixture, or busybox-static. */
  fixture: 'alpine' | 'busybox';
  /** A file (path relative to the rootfs) that exists only in the base rootfs, e.g. etc/alpine-release. */
  baseMarker: string;
  /** Host architecture in OCI terms (amd64, arm64). */
  hostArchitecture: string;
  images: {
    alpine: ImageInfo;
    multilayer: ImageInfo;
    /** base, the multilayer upper layer, base again: one blob listed twice (as empty layers are in real images). */
    repeatedLayer: ImageInfo;
    multiarch: MultiArchInfo;
    zstd: ImageInfo;
    schema2: ImageInfo;
    /** The alpine image on the htpasswd registry. */
    authAlpine: ImageInfo;
    /** A small image of its own whose layer a test may alter in the registry's storage. */
    corruptible: ImageInfo;
    /** Layer whose tar has `../../escaped-file` and `../…/<escapeDir>/escaped-dotdot`. */
    evilDotdot: ImageInfo;
    /** Layer with `link -> <escapeDir>` then a file `link/escaped-symlink`. */
    evilSymlink: ImageInfo;
    /** Layer with a hard link to `../…/<escapeDir>/victim`, then a file written over that name. */
    evilHardlink: ImageInfo;
    /** A valid layer blob, but the config's diff_id names another tree. */
    badDiffID: ImageInfo;
    /** Only with ROOTLESS_E2E_LARGE_IMAGE=1 (the benchmark): the base plus ~50 MB of incompressible files. */
    large?: ImageInfo;
  };
  /** World-writable directory the evil images aim at; a file appearing here means an escape. */
  escapeDir: string;
  /** Temp directory of this run: registry storage, logs, this file; removed at stop. */
  workDir: string;
}

export function readE2EEnv(file = process.env.ROOTLESS_E2E_ENV): E2EEnv {
  if (!file) throw new Error('ROOTLESS_E2E_ENV is not set: run the e2e tests through `npm test` (scripts/test.sh)');
  return JSON.parse(readFileSync(file, 'utf8')) as E2EEnv;
}
