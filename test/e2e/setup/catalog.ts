// The test images of docs/ARCHITECTURE.md ("Tests"), plus the broken and malicious ones the
// integrity tests pull. Built from Alpine's minirootfs fixture when present, else from busybox.
import { createCipheriv } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { E2EEnv } from './env.js';
import { buildTar, busyboxRootfs, gunzip, sha256, type TarEntry } from './layers.js';
import { gzipLayer, pushImage, pushIndex, zstdLayer, type Layer } from './images.js';
import type { Pusher } from './push.js';

const ALPINE_ARCH: Record<string, string> = { amd64: 'x86_64', arm64: 'aarch64' };
const ALPINE_VERSION = '3.20.3';

export function hostArchitecture(): string {
  const byNode: Record<string, string> = { x64: 'amd64', arm64: 'arm64' };
  const arch = byNode[process.arch];
  if (!arch) throw new Error(`the test images exist for amd64 and arm64 only, not ${process.arch}`);
  return arch;
}

function fixtureFile(fixtures: string | undefined, arch: string): string | undefined {
  if (!fixtures) return undefined;
  const file = path.join(fixtures, `alpine-minirootfs-${ALPINE_VERSION}-${ALPINE_ARCH[arch]}.tar.gz`);
  return existsSync(file) ? file : undefined;
}

/** True when both architectures' minirootfs are there; otherwise every image is built from busybox. */
export function hasAlpineFixtures(fixtures: string | undefined): boolean {
  return Object.keys(ALPINE_ARCH).every((arch) => fixtureFile(fixtures, arch));
}

async function baseLayer(fixtures: string | undefined, arch: string): Promise<Layer> {
  const file = fixtureFile(fixtures, arch);
  if (file && hasAlpineFixtures(fixtures)) {
    const blob = readFileSync(file);
    return gzipLayer(gunzip(blob), `ADD alpine-minirootfs-${ALPINE_VERSION}-${ALPINE_ARCH[arch]}.tar.gz /`, blob);
  }
  return gzipLayer(await busyboxRootfs(ALPINE_ARCH[arch]!), `ADD busybox-static rootfs (${arch}) /`);
}

/** Deletes /etc/motd (whiteout), makes /etc/apk opaque with only marker in it, adds files of uid 1000. */
function upperLayerEntries(): TarEntry[] {
  return [
    { name: 'etc/', type: 'directory' },
    { name: 'etc/.wh.motd' },
    { name: 'etc/apk/', type: 'directory' },
    { name: 'etc/apk/.wh..wh..opq' },
    { name: 'etc/apk/marker', content: 'opaque\n' },
    { name: 'etc/apk/marker-hardlink', type: 'link', linkname: 'etc/apk/marker' },
    { name: 'etc/apk/marker-symlink', type: 'symlink', linkname: 'marker' },
    { name: 'home/', type: 'directory' },
    { name: 'home/owned/', type: 'directory', uid: 1000, gid: 1000 },
    { name: 'home/owned/file', content: 'owned by 1000:1000\n', uid: 1000, gid: 1000, mode: 0o640 },
  ];
}

/** `../` enough times to reach / from any store, then an absolute path: escapes wherever unpacked. */
export function climbTo(target: string): string {
  return '../'.repeat(16) + target.replace(/^\/+/, '');
}

/**
 * A Debian-sized layer: `count` files of `size` bytes that gzip cannot shrink, the same bytes on
 * every run (an AES-CTR keystream under a fixed key is a fast deterministic PRNG).
 */
async function incompressibleLayer(count: number, size: number): Promise<Layer> {
  const entries: TarEntry[] = [{ name: 'data/', type: 'directory' }];
  for (let index = 0; index < count; index++) {
    const iv = Buffer.alloc(16);
    iv.writeUInt32BE(index);
    const stream = createCipheriv('aes-128-ctr', Buffer.from('rootless-bench-k'), iv);
    entries.push({ name: `data/blob-${index}.bin`, content: Buffer.concat([stream.update(Buffer.alloc(size)), stream.final()]) });
  }
  return gzipLayer(await buildTar(entries), `ADD data/ /data/ (${count} x ${size} bytes of noise)`);
}

export interface CatalogOptions {
  plain: Pusher;
  auth: Pusher;
  plainAddress: string;
  authAddress: string;
  fixtures: string | undefined;
  escapeDir: string;
  /** Also push `test/large:latest` (for the benchmark; it takes seconds to build). */
  largeImage?: boolean;
}

export async function pushTestImages(options: CatalogOptions): Promise<Pick<E2EEnv, 'images' | 'fixture' | 'baseMarker' | 'hostArchitecture'>> {
  const { plain, auth, plainAddress: at, escapeDir } = options;
  const host = hostArchitecture();
  const alpine = hasAlpineFixtures(options.fixtures);
  const base = await baseLayer(options.fixtures, host);
  const oci = (label: string, layers: Layer[], extra: { diffIDs?: string[]; exposedPorts?: string[] } = {}) =>
    ({ layers, architecture: host, format: 'oci' as const, label, ...extra });

  const upper = gzipLayer(await buildTar(upperLayerEntries()), 'RUN rm /etc/motd && rm -r /etc/apk && mkdir /etc/apk && …');
  const small = async (createdBy: string, entries: TarEntry[]) => gzipLayer(await buildTar(entries), createdBy);

  const images: E2EEnv['images'] = {
    alpine: await pushImage(plain, `${at}/test/alpine:3.20`, oci('alpine', [base], { exposedPorts: ['80/tcp'] })),
    multilayer: await pushImage(plain, `${at}/test/multilayer:latest`, oci('multilayer', [base, upper])),
    repeatedLayer: await pushImage(plain, `${at}/test/repeated-layer:latest`, oci('repeated-layer', [base, upper, base])),
    multiarch: await pushIndex(plain, `${at}/test/multiarch:latest`, [
      { layers: [await baseLayer(options.fixtures, 'amd64')], architecture: 'amd64', format: 'oci', label: 'multiarch-amd64' },
      { layers: [await baseLayer(options.fixtures, 'arm64')], architecture: 'arm64', variant: 'v8', format: 'oci', label: 'multiarch-arm64' },
    ]),
    zstd: await pushImage(plain, `${at}/test/zstd:latest`, oci('zstd', [zstdLayer(base.tar, base.createdBy)])),
    schema2: await pushImage(plain, `${at}/test/schema2:latest`, { layers: [base], architecture: host, format: 'docker', label: 'schema2' }),
    authAlpine: await pushImage(auth, `${options.authAddress}/test/alpine:3.20`, oci('alpine', [base], { exposedPorts: ['80/tcp'] })),
    corruptible: await pushImage(plain, `${at}/test/corruptible:latest`, oci('corruptible', [
      await small('ADD corruptible /', [{ name: 'corruptible', content: 'a test alters this blob in the registry storage\n' }]),
    ])),
    evilDotdot: await pushImage(plain, `${at}/test/evil-dotdot:latest`, oci('evil-dotdot', [
      await small('ADD ../ entries', [
        { name: 'etc/', type: 'directory' },
        { name: '../../escaped-file', content: 'escaped through ..\n' },
        { name: climbTo(`${escapeDir}/escaped-dotdot`), content: 'escaped through ..\n' },
      ]),
    ])),
    evilSymlink: await pushImage(plain, `${at}/test/evil-symlink:latest`, oci('evil-symlink', [
      await small('ADD a symlink out, then a file through it', [
        { name: 'link', type: 'symlink', linkname: escapeDir },
        { name: 'link/escaped-symlink', content: 'escaped through a symlink\n' },
      ]),
    ])),
    evilHardlink: await pushImage(plain, `${at}/test/evil-hardlink:latest`, oci('evil-hardlink', [
      await small('ADD a hard link out, then a file over it', [
        { name: 'victim-link', type: 'link', linkname: climbTo(`${escapeDir}/victim`) },
        { name: 'victim-link', content: 'overwritten through a hard link\n' },
      ]),
    ])),
    badDiffID: await pushImage(plain, `${at}/test/bad-diffid:latest`, oci('bad-diffid', [
      await small('ADD poison /', [{ name: 'poison', content: 'this tree claims to be the base layer\n' }]),
    ], { diffIDs: [sha256(base.tar)] })),
    ...(options.largeImage ? { large: await pushImage(plain, `${at}/test/large:latest`, oci('large', [base, await incompressibleLayer(6, 8_500_000)])) } : {}),
  };
  return {
    images,
    fixture: alpine ? 'alpine' : 'busybox',
    baseMarker: alpine ? 'etc/alpine-release' : 'etc/busybox-rootfs',
    hostArchitecture: host,
  };
}
