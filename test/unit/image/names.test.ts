import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatAge, formatSize } from '../../../lib/image/format.js';
import { listImages } from '../../../lib/image/list.js';
import { canonicalName, splitName } from '../../../lib/image/names.js';
import type { ImageRecord } from '../../../lib/image/store.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

test('canonicalName fills in registry, library/ and latest', () => {
  assert.is(canonicalName('alpine'), 'docker.io/library/alpine:latest');
  assert.is(canonicalName('alpine:3.20'), 'docker.io/library/alpine:3.20');
  assert.is(canonicalName('user/app'), 'docker.io/user/app:latest');
  assert.is(canonicalName('index.docker.io/library/alpine'), 'docker.io/library/alpine:latest');
  assert.is(canonicalName('127.0.0.1:5000/test/alpine'), '127.0.0.1:5000/test/alpine:latest');
  assert.is(canonicalName('localhost/app:v1'), 'localhost/app:v1');
  assert.is(canonicalName('[::1]:5000/a/b:c'), '[::1]:5000/a/b:c');
  assert.is(canonicalName(`alpine@${DIGEST}`), `docker.io/library/alpine@${DIGEST}`);
  assert.equal(splitName(`127.0.0.1:5000/test/alpine:3.20@${DIGEST}`), { repository: '127.0.0.1:5000/test/alpine', tag: '3.20', digest: DIGEST });
});

test('canonicalName refuses what cannot be a name', () => {
  assert.throws(() => canonicalName('Alpine'), /invalid image name `Alpine`/);
  assert.throws(() => canonicalName('alpine@sha256:123'), /digest/);
  assert.throws(() => canonicalName('alpine:bad tag'), /tag/);
});

test('sizes and ages as Docker prints them', () => {
  assert.is(formatSize(512), '512B');
  assert.is(formatSize(3_490_290), '3.49MB');
  assert.is(formatSize(123_456_789), '123MB');
  const now = new Date('2026-01-01T12:00:00Z');
  assert.is(formatAge(new Date('2026-01-01T10:00:00Z'), now), '2 hours ago');
  assert.is(formatAge(new Date('2026-01-01T11:59:00Z'), now), 'About a minute ago');
  assert.is(formatAge(new Date('2025-12-29T12:00:00Z'), now), '3 days ago');
});

test('images table, quiet and json', () => {
  const image: ImageRecord = {
    id: `sha256:${'b'.repeat(64)}`,
    digest: DIGEST,
    digests: [DIGEST],
    names: ['docker.io/library/alpine:3.20', 'docker.io/library/alpine:latest'],
    layers: [],
    created: new Date(Date.now() - 2 * 3600_000 - 1000).toISOString(),
    size: 3_490_290,
    platform: { os: 'linux', architecture: 'amd64' },
  };
  const dangling = { ...image, id: `sha256:${'c'.repeat(64)}`, names: [] };
  const lines = listImages([image, dangling]).trimEnd().split('\n');
  assert.match(lines[0]!, /^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$/);
  assert.match(lines[1]!, /^docker\.io\/library\/alpine\s+3\.20\s+bbbbbbbbbbbb\s+2 hours ago\s+3\.49MB$/);
  assert.is(lines.length, 4);
  assert.match(lines[3]!, /^<none>\s+<none>\s+cccccccccccc/);
  assert.is(listImages([image, dangling], { quiet: true }), 'bbbbbbbbbbbb\ncccccccccccc\n');
  const json = JSON.parse(listImages([image], { format: 'json' })) as Array<{ Id: string; RepoDigests: string[] }>;
  assert.is(json[0]!.Id, 'b'.repeat(64));
  assert.equal(json[0]!.RepoDigests, [`docker.io/library/alpine@${DIGEST}`]);
  assert.throws(() => listImages([image], { format: '{{.ID}}' }), /unsupported --format/);
});

test.run();
