import { test } from 'uvu';
import type { RootlessError } from '../../../lib/errors.js';
import * as assert from 'uvu/assert';
import {
  type Descriptor,
  hostPlatform,
  layerCompression,
  manifestMediaType,
  MediaType,
  parseManifest,
  parsePlatform,
  selectPlatform,
} from '../../../lib/image/manifest.js';

const digest = (c: string): string => `sha256:${c.repeat(64)}`;
const config = { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digest('c'), size: 100 };
const layer = { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digest('1'), size: 2000 };
const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

test('parses an OCI image manifest', () => {
  const parsed = parseManifest(json({ schemaVersion: 2, mediaType: MediaType.ociManifest, config, layers: [layer] }), MediaType.ociManifest);
  assert.equal(parsed, { kind: 'image', mediaType: MediaType.ociManifest, config, layers: [layer] });
});

test('parses a Docker schema2 manifest and manifest list', () => {
  const dockerLayer = { ...layer, mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip' };
  const image = parseManifest(json({ schemaVersion: 2, config, layers: [dockerLayer] }), MediaType.dockerManifest);
  assert.is(image.kind, 'image');
  const list = parseManifest(
    json({ schemaVersion: 2, manifests: [{ mediaType: MediaType.dockerManifest, digest: digest('d'), size: 5, platform: { os: 'linux', architecture: 'amd64' } }] }),
    MediaType.dockerManifestList,
  );
  assert.equal(list, {
    kind: 'index',
    mediaType: MediaType.dockerManifestList,
    manifests: [{ mediaType: MediaType.dockerManifest, digest: digest('d'), size: 5, platform: { os: 'linux', architecture: 'amd64' } }],
  });
});

test('detects the type from content when the registry gives none or a generic one', () => {
  const index = json({ schemaVersion: 2, manifests: [] });
  assert.is(parseManifest(index, '').kind, 'index');
  assert.is(manifestMediaType(index, 'application/json; charset=utf-8'), MediaType.ociIndex);
  assert.is(manifestMediaType(json({ schemaVersion: 2, config, layers: [] }), ''), MediaType.ociManifest);
  assert.is(manifestMediaType(json({ mediaType: MediaType.dockerManifest, config, layers: [] }), ''), MediaType.dockerManifest);
  assert.is(manifestMediaType(Buffer.from('not json'), MediaType.ociManifest), MediaType.ociManifest);
});

test('rejects schema 1, unknown types and malformed documents', () => {
  assert.throws(() => parseManifest(json({ schemaVersion: 1, fsLayers: [] }), ''), /schema 1 manifest format.*not supported/);
  assert.throws(() => parseManifest(json({ schemaVersion: 1 }), MediaType.dockerSchema1Signed), /schema 1/);
  assert.throws(() => parseManifest(json({ config, layers: [] }), 'application/vnd.example+json'), /unsupported manifest type/);
  assert.throws(() => parseManifest(Buffer.from('{'), MediaType.ociManifest), /not valid JSON/);
  assert.throws(() => parseManifest(json({ config, layers: [{ ...layer, digest: 'sha256:zz' }] }), MediaType.ociManifest), /layers\[0\] has no valid sha256 digest/);
  assert.throws(() => parseManifest(json({ config: { ...config, size: -1 }, layers: [] }), MediaType.ociManifest), /config has no valid size/);
  assert.throws(() => parseManifest(json({ schemaVersion: 2 }), ''), /neither an image manifest nor an index/);
});

test('layer compression from the media type', () => {
  assert.is(layerCompression('application/vnd.oci.image.layer.v1.tar'), 'none');
  assert.is(layerCompression('application/vnd.oci.image.layer.v1.tar+gzip'), 'gzip');
  assert.is(layerCompression('application/vnd.oci.image.layer.v1.tar+zstd'), 'zstd');
  assert.is(layerCompression('application/vnd.oci.image.layer.nondistributable.v1.tar+gzip'), 'gzip');
  assert.is(layerCompression('application/vnd.docker.image.rootfs.diff.tar.gzip'), 'gzip');
  assert.throws(() => layerCompression('application/vnd.example.layer+bzip2'), /unsupported layer type/);
});

test('host platform from Node arch names', () => {
  assert.equal(hostPlatform('x64'), { os: 'linux', architecture: 'amd64' });
  assert.equal(hostPlatform('arm64'), { os: 'linux', architecture: 'arm64', variant: 'v8' });
  assert.equal(hostPlatform('arm'), { os: 'linux', architecture: 'arm', variant: 'v7' });
  assert.equal(hostPlatform('ia32'), { os: 'linux', architecture: '386' });
  assert.is(hostPlatform().os, 'linux');
});

test('parses platforms', () => {
  assert.equal(parsePlatform('linux/arm64/v8'), { os: 'linux', architecture: 'arm64', variant: 'v8' });
  assert.equal(parsePlatform('linux/x86_64'), { os: 'linux', architecture: 'amd64' });
  assert.throws(() => parsePlatform('amd64'), (error: RootlessError) => /invalid platform "amd64"\. Write OS\/ARCH/.test(error.line));
  assert.throws(() => parsePlatform('linux/arm/v7/extra'), /invalid platform/);
});

const entry = (architecture: string, variant?: string, c = '0'): Descriptor => ({
  mediaType: MediaType.ociManifest,
  digest: digest(c),
  size: 1,
  platform: { os: 'linux', architecture, ...(variant ? { variant } : {}) },
});

test('selects the platform: exact variant preferred, arm64 v8 is the default variant', () => {
  const index = [entry('amd64', undefined, '1'), entry('arm', 'v6', '2'), entry('arm', 'v7', '3'), entry('arm64', undefined, '4')];
  assert.is(selectPlatform(index, { os: 'linux', architecture: 'amd64' }).digest, digest('1'));
  assert.is(selectPlatform(index, { os: 'linux', architecture: 'arm', variant: 'v7' }).digest, digest('3'));
  assert.is(selectPlatform(index, { os: 'linux', architecture: 'arm64', variant: 'v8' }).digest, digest('4'));
  assert.is(selectPlatform([entry('arm64', 'v8', '5')], { os: 'linux', architecture: 'arm64' }).digest, digest('5'));
  assert.is(selectPlatform([entry('amd64', 'v3', '6'), entry('amd64', undefined, '7')], { os: 'linux', architecture: 'amd64' }).digest, digest('7'));
});

test('platform selection errors list what the index has', () => {
  const index = [entry('amd64'), entry('arm', 'v7'), { ...entry('unknown'), platform: { os: 'unknown', architecture: 'unknown' } }];
  assert.throws(() => selectPlatform(index, { os: 'linux', architecture: 's390x' }), (error: Error) =>
    /no image for platform linux\/s390x.*it has: linux\/amd64, linux\/arm\/v7\)$/.test(error.message),
  );
  assert.throws(() => selectPlatform(index, { os: 'linux', architecture: 'arm', variant: 'v6' }), /linux\/arm\/v6/);
});

test.run();
