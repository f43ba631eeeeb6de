// What a pull must refuse, leaving nothing behind: blobs whose bytes do not match their digest,
// a config that lies about its layers, and layers that try to write outside their directory.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  alterRegistryBlob, sandboxPool, e2e, errorLines, hasStackTrace, hex, registryBlobPath, said, type ImageInfo, type Sandbox,
} from './harness.js';

const test = suite('image integrity');
const sandboxes = sandboxPool('integrity');
const sandbox = sandboxes.create;
test.after(async () => {
  await sandboxes.cleanupAll();
});


/**
 * The store holds no image, no unpacked layer of `image`, nothing in tmp/, and (for blobs that
 * failed verification) no blob of it. A verified blob whose unpack was refused may stay cached.
 */
async function assertNothingStored(box: Sandbox, image: ImageInfo, blobsToo: boolean): Promise<void> {
  const ids = await box.rootless(['images', '-q']);
  assert.is(ids.exitCode, 0, said(ids));
  assert.is(ids.stdout.trim(), '', 'no image is recorded');
  for (const layer of image.layers) {
    if (blobsToo) assert.not.ok(box.list('blobs/sha256').includes(hex(layer.digest)), `no blob ${layer.digest} in the store`);
    assert.not.ok(box.list('layers').includes(hex(layer.diffID)), `no unpacked layer ${layer.diffID} in the store`);
  }
  assert.equal(box.list('tmp'), [], 'nothing is left in the store tmp dir');
}

async function assertRefused(box: Sandbox, image: ImageInfo, blobsToo: boolean, pattern?: RegExp): Promise<void> {
  const pull = await box.rootless(['pull', image.reference]);
  assert.is(pull.exitCode, 125, said(pull));
  assert.match(pull.stderr, /^Error: /m);
  if (pattern) assert.match(pull.stderr, pattern, said(pull));
  await assertNothingStored(box, image, blobsToo);
}

test('a layer blob altered in the registry fails the pull with a digest error and stores nothing', async () => {
  const box = sandbox('corrupt-layer');
  const image = e2e.images.corruptible;
  // Byte 4 is the gzip header's mtime: the stream still decompresses, only the digest is wrong.
  const restore = alterRegistryBlob(registryBlobPath(e2e.registries.plain, image.layers[0]!.digest), (data) => {
    data[4] = data[4]! ^ 0xff;
    return data;
  });
  try {
    await assertRefused(box, image, true, /digest/i);
  } finally {
    restore();
  }
});

test('pulling by digest refuses a manifest whose bytes do not hash to that digest', async () => {
  const box = sandbox('corrupt-manifest');
  const image = e2e.images.corruptible;
  // Trailing whitespace keeps the JSON valid and its meaning unchanged: only hashing can tell.
  const restore = alterRegistryBlob(registryBlobPath(e2e.registries.plain, image.manifestDigest), (data) => Buffer.concat([data, Buffer.from('\n')]));
  try {
    const pull = await box.rootless(['pull', `${image.repository}@${image.manifestDigest}`]);
    assert.is(pull.exitCode, 125, said(pull));
    assert.match(pull.stderr, /digest/i, said(pull));
    await assertNothingStored(box, image, true);
    assert.not.ok(box.list('blobs/sha256').includes(hex(image.manifestDigest)), 'the altered manifest is not stored');
  } finally {
    restore();
  }
});

test('a config whose diff_ids do not match the layer fails and does not poison the base layer', async () => {
  const box = sandbox('bad-diffid');
  const image = e2e.images.badDiffID;
  const pull = await box.rootless(['pull', image.reference]);
  assert.is(pull.exitCode, 125, said(pull));
  const ids = await box.rootless(['images', '-q']);
  assert.is(ids.stdout.trim(), '', 'no image is recorded');
  const claimed = e2e.images.alpine.layers[0]!.diffID; // what the config says; the tree is another one
  assert.not.ok(box.list('layers').includes(hex(claimed)), 'no layer is stored under the diffID the config claims');
  assert.not.ok(box.list('layers').includes(hex(image.layers[0]!.diffID)), 'nor under the real diffID of the tree');
  assert.equal(box.list('tmp'), [], 'nothing is left in the store tmp dir');
});

/** Places where `../../escaped-file` would land, from the unpack dir up to /. */
function escapeCandidates(box: Sandbox): string[] {
  const places = [];
  for (let dir = path.join(box.store, 'tmp', 'x'); dir !== '/'; dir = path.dirname(dir)) places.push(path.join(dir, 'escaped-file'));
  return places;
}

test('a layer with ../ entries is refused and writes nothing outside', async () => {
  const box = sandbox('evil-dotdot');
  await assertRefused(box, e2e.images.evilDotdot, false);
  assert.not.ok(existsSync(path.join(e2e.escapeDir, 'escaped-dotdot')), 'nothing escaped to the absolute target');
  for (const place of escapeCandidates(box)) assert.not.ok(existsSync(place), `nothing escaped to ${place}`);
});

test('a layer writing through a symlink to a host directory is refused and writes nothing there', async () => {
  const box = sandbox('evil-symlink');
  await assertRefused(box, e2e.images.evilSymlink, false);
  assert.not.ok(existsSync(path.join(e2e.escapeDir, 'escaped-symlink')), 'nothing was written through the symlink');
});

test('a layer hard-linking a host file and writing over it is refused and leaves the file alone', async () => {
  const box = sandbox('evil-hardlink');
  const victim = path.join(e2e.escapeDir, 'victim');
  await assertRefused(box, e2e.images.evilHardlink, false);
  assert.is(readFileSync(victim, 'utf8'), 'original\n', 'the host file keeps its content');
  assert.is(statSync(victim).nlink, 1, 'no hard link to the host file was made');
});

test('a malformed reference exits 125 with one line', async () => {
  const box = sandbox('bad-reference');
  for (const reference of ['UPPER/Case:tag', 'name:tag:again', 'name@sha256:short']) {
    const pull = await box.rootless(['pull', reference]);
    assert.is(pull.exitCode, 125, `${reference}: ${said(pull)}`);
    assert.is(errorLines(pull).length, 1, `one error line for ${reference}: ${said(pull)}`);
    assert.not.ok(hasStackTrace(pull), `no stack trace for ${reference}`);
  }
});

test.run();
