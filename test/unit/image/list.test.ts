import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatAge, formatSize } from '../../../lib/image/format.js';
import { listImages } from '../../../lib/image/list.js';
import type { ImageRecord } from '../../../lib/image/store.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

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
