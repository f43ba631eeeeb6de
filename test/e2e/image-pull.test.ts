// Pulling each test image: exit status, `images`, `image inspect`, and the unpacked layer trees
// (whiteouts, opaque dirs, links, ownership mapped into the user's subordinate range).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, lstatSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { readSubIds } from '../../lib/runtime/idmap.js';
import { sandboxPool, hex, e2e, inspectImage, parseImages, said, shortId, type ImageInfo, type Sandbox } from './harness.js';

const test = suite('image pull');
const sandboxes = sandboxPool('pull');
const sandbox = sandboxes.create;
test.after(async () => {
  await sandboxes.cleanupAll();
});

async function pullAndList(box: Sandbox, reference: string, image: ImageInfo, extra: string[] = []): Promise<void> {
  const pull = await box.rootless(['pull', ...extra, reference]);
  assert.is(pull.exitCode, 0, `pull ${reference}: ${said(pull)}`);
  const images = await box.rootless(['images']);
  assert.is(images.exitCode, 0, said(images));
  const rows = parseImages(images.stdout).filter((row) => row.repository === image.repository);
  assert.is(rows.length, 1, `images should list ${image.repository} once:\n${images.stdout}`);
  assert.is(rows[0]!.tag, image.tag);
  assert.match(rows[0]!.id, /^[0-9a-f]{12}$/);
  assert.is(rows[0]!.id, shortId(image.configDigest), 'the image id is the config digest');
}

async function assertInspect(box: Sandbox, name: string, image: ImageInfo): Promise<void> {
  const info = await inspectImage(box, name);
  assert.is(hex(info.Id), hex(image.configDigest), 'Id is the config digest');
  assert.is(info.Architecture, image.architecture);
  assert.is(info.Os, 'linux');
  const rootfs = info.RootFS as { Type?: string; Layers?: string[] } | undefined;
  assert.is(rootfs?.Type, 'layers');
  assert.equal(rootfs?.Layers, image.layers.map((layer) => layer.diffID));
}

function assertBaseLayer(box: Sandbox, image: ImageInfo): void {
  const base = box.layerPath(image.layers[0]!.diffID);
  assert.ok(existsSync(path.join(base, e2e.baseMarker)), `${e2e.baseMarker} in the unpacked base layer ${base}`);
  assert.ok(lstatSync(path.join(base, 'bin', 'busybox')).isFile(), 'bin/busybox is a regular file');
  const tmp = statSync(path.join(base, 'tmp'));
  assert.is(tmp.mode & 0o7777, 0o1777, 'tmp keeps mode 1777 (sticky bit)');
  assert.is(statSync(path.join(base, e2e.baseMarker)).uid, process.getuid!(), 'a file of uid 0 in the tar belongs to the user on the host');
}

test('pull an OCI gzip image: images lists it, inspect describes it, the layer is unpacked', async () => {
  const box = sandbox('alpine');
  const image = e2e.images.alpine;
  await pullAndList(box, image.reference, image);
  await assertInspect(box, image.reference, image);
  const info = await inspectImage(box, image.reference);
  assert.ok((info.RepoTags as string[]).includes(image.reference), `RepoTags has ${image.reference}`);
  assert.ok((info.RepoDigests as string[]).includes(`${image.repository}@${image.manifestDigest}`), 'RepoDigests has the manifest digest');
  assertBaseLayer(box, image);
  assert.equal(box.list('tmp'), [], 'nothing is left in the store tmp dir');
});

test('pull a two-layer image: whiteout, opaque dir, links and subordinate ownership in the upper layer', async () => {
  const box = sandbox('multilayer');
  const image = e2e.images.multilayer;
  await pullAndList(box, image.reference, image);
  await assertInspect(box, image.reference, image);
  assertBaseLayer(box, image);
  const base = box.layerPath(image.layers[0]!.diffID);
  const upper = box.layerPath(image.layers[1]!.diffID);
  assert.ok(lstatSync(path.join(base, 'etc/motd')).isFile(), 'the base layer keeps its etc/motd');

  const motd = lstatSync(path.join(upper, 'etc/motd'));
  assert.ok(motd.isCharacterDevice(), 'etc/motd in the upper layer is an overlay whiteout (character device)');
  assert.is(motd.rdev, 0, 'the whiteout is device 0:0');
  assert.not.ok(existsSync(path.join(upper, 'etc/.wh.motd')), 'the .wh. file itself is not unpacked');

  const opaque = await execa('getfattr', ['--absolute-names', '--only-values', '-n', 'user.overlay.opaque', path.join(upper, 'etc/apk')], { reject: false });
  assert.is(opaque.exitCode, 0, `etc/apk has user.overlay.opaque: ${opaque.stderr}`);
  assert.is(opaque.stdout, 'y');
  assert.not.ok(existsSync(path.join(upper, 'etc/apk/.wh..wh..opq')), 'the opaque marker file itself is not unpacked');

  const marker = path.join(upper, 'etc/apk/marker');
  assert.is(readFileSync(marker, 'utf8'), 'opaque\n');
  assert.is(statSync(path.join(upper, 'etc/apk/marker-hardlink')).ino, statSync(marker).ino, 'a hard link in the layer is a hard link on disk');
  assert.is(readlinkSync(path.join(upper, 'etc/apk/marker-symlink')), 'marker');

  const user = os.userInfo();
  const [subuid] = readSubIds('/etc/subuid', { uid: user.uid, name: user.username });
  const [subgid] = readSubIds('/etc/subgid', { uid: user.uid, name: user.username });
  assert.ok(subuid && subgid, `the test user ${user.username} needs ranges in /etc/subuid and /etc/subgid (scripts/setup-host.sh adds them)`);
  const owned = lstatSync(path.join(upper, 'home/owned/file'));
  assert.is(owned.uid, subuid.start + 999, 'uid 1000 in the tar lands at subuid start + 999 (container 1 = first subordinate id)');
  assert.is(owned.gid, subgid.start + 999, 'gid 1000 in the tar lands at subgid start + 999');
  assert.is(owned.mode & 0o777, 0o640);
  assert.is(statSync(marker).uid, user.uid);
});

const formats = [
  { name: 'zstd', what: 'an image whose layer is tar+zstd', image: e2e.images.zstd, sign: e2e.images.zstd.layers[0]!.mediaType, expected: 'application/vnd.oci.image.layer.v1.tar+zstd' },
  { name: 'schema2', what: 'a Docker schema2 image', image: e2e.images.schema2, sign: e2e.images.schema2.manifestMediaType, expected: 'application/vnd.docker.distribution.manifest.v2+json' },
];
for (const { name, what, image, sign, expected } of formats) {
  test(`pull ${what}`, async () => {
    assert.is(sign, expected, 'the test image has the format under test');
    const box = sandbox(name);
    await pullAndList(box, image.reference, image);
    await assertInspect(box, image.reference, image);
    assertBaseLayer(box, image);
  });
}

test('a blob listed twice in an image is fetched once, reported once, and its layer is used twice', async () => {
  const box = sandbox('repeated');
  const image = e2e.images.repeatedLayer;
  const pull = await box.rootless(['pull', image.reference]);
  assert.is(pull.exitCode, 0, said(pull));
  const base = shortId(image.layers[0]!.digest);
  const lines = pull.stderr.split('\n').filter((line) => line.startsWith(`${base}:`));
  assert.is(lines.length, 1, `one line for the base layer:\n${pull.stderr}`);
  assert.match(lines[0]!, /: Pull complete \(/);
  await assertInspect(box, image.reference, image);
  assert.equal(box.list('layers').sort(), [...new Set(image.layers.map((layer) => hex(layer.diffID)))].sort());
  const run = await box.rootless(['run', '--rm', image.reference, 'sh', '-c', 'test -e /etc/motd && cat /etc/apk/marker']);
  assert.is(run.exitCode, 0, `the base layer on top brings /etc/motd back: ${said(run)}`);
  assert.is(run.stdout, 'opaque\n', 'the middle layer is still there');
});

test('pull from an OCI index picks the host platform', async () => {
  const box = sandbox('multiarch-host');
  const index = e2e.images.multiarch;
  const image = index.manifests[e2e.hostArchitecture]!;
  await pullAndList(box, index.reference, image);
  await assertInspect(box, index.reference, image);
});

test('pull --platform linux/arm64 picks the arm64 manifest of the index', async () => {
  const box = sandbox('multiarch-arm64');
  const index = e2e.images.multiarch;
  const image = index.manifests.arm64!;
  await pullAndList(box, index.reference, image, ['--platform', 'linux/arm64']);
  await assertInspect(box, index.reference, image);
  const arch = readFileSync(path.join(box.layerPath(image.layers[0]!.diffID), 'etc/apk/arch'), 'utf8');
  assert.is(arch.trim(), 'aarch64', 'the unpacked layer is the arm64 one');
});

test('pull by digest (name@sha256:…) pulls exactly that manifest', async () => {
  const box = sandbox('digest');
  const image = e2e.images.alpine;
  const pinned = `${image.repository}@${image.manifestDigest}`;
  const pull = await box.rootless(['pull', pinned]);
  assert.is(pull.exitCode, 0, said(pull));
  const ids = await box.rootless(['images', '-q']);
  assert.ok(ids.stdout.split('\n').map((line) => line.trim()).includes(shortId(image.configDigest)), `images -q lists the image: ${said(ids)}`);
  const info = await inspectImage(box, pinned);
  assert.is(hex(info.Id), hex(image.configDigest), 'Id is the config digest');
});

test('pull by a digest the registry does not have exits 125 and records nothing', async () => {
  const box = sandbox('wrong-digest');
  const image = e2e.images.alpine;
  const wrong = `${image.repository}@sha256:${'0123456789abcdef'.repeat(4)}`;
  const pull = await box.rootless(['pull', wrong]);
  assert.is(pull.exitCode, 125, said(pull));
  assert.match(pull.stderr, /^Error: /m);
  const ids = await box.rootless(['images', '-q']);
  assert.is(ids.stdout.trim(), '', 'no image is recorded');
});

test.run();
