import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openStore, type ImageRecord, type ImageStore } from '../../../lib/image/store.js';

async function rejects(action: () => Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await action();
  } catch (error) {
    assert.match((error as Error).message, pattern);
    return;
  }
  assert.unreachable(`expected an error matching ${pattern}`);
}

const sha = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

async function newStore(): Promise<ImageStore> {
  return openStore(fs.mkdtempSync(path.join(os.tmpdir(), 'store-test-')));
}

/** Stages and commits an image whose layers hold one file each, as a pull would. */
async function addImage(store: ImageStore, names: string[], layerNames: string[], seed = ''): Promise<ImageRecord> {
  const staging = await store.createTempDir('test');
  try {
    const staged = { blobs: new Map<string, string>(), layers: new Map<string, string>() };
    const stage = (digest: string, content: string) => {
      const file = path.join(staging.path, `blob-${digest.slice(7)}`);
      fs.writeFileSync(file, content);
      staged.blobs.set(digest, file);
    };
    const diffIDs = layerNames.map((name) => sha(`tar of ${name}`));
    layerNames.forEach((name, index) => {
      const dir = path.join(staging.path, `layer-${index}`);
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, name), name);
      staged.layers.set(diffIDs[index]!, dir);
      stage(sha(`gz of ${name}`), `gz of ${name}`);
    });
    const config = JSON.stringify({ created: '2024-01-01T00:00:00Z', seed, config: { Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: diffIDs } });
    stage(sha(config), config);
    const manifest = JSON.stringify({ config: { digest: sha(config) }, layers: layerNames.map((name) => ({ digest: sha(`gz of ${name}`) })) });
    stage(sha(manifest), manifest);
    const record: ImageRecord = {
      id: sha(config),
      digest: sha(manifest),
      digests: [sha(manifest)],
      names,
      layers: diffIDs,
      created: '2024-01-01T00:00:00Z',
      size: 100,
      platform: { os: 'linux', architecture: 'amd64' },
    };
    return await store.commitImage(staged, record);
  } finally {
    await staging.release();
  }
}

test('records are found by name, short name, id, id prefix, digest and name@digest', async () => {
  const store = await newStore();
  const image = await addImage(store, ['docker.io/library/alpine:latest', '127.0.0.1:5000/test/alpine:3.20'], ['base']);
  const found = async (text: string) => (await store.findImage(text))?.id;
  assert.is(await found('alpine'), image.id);
  assert.is(await found('docker.io/library/alpine:latest'), image.id);
  assert.is(await found('library/alpine'), image.id);
  assert.is(await found('127.0.0.1:5000/test/alpine:3.20'), image.id);
  assert.is(await found(image.id), image.id);
  assert.is(await found(image.id.slice(7, 10)), image.id);
  assert.is(await found(image.digest), image.id);
  assert.is(await found(`127.0.0.1:5000/test/alpine@${image.digest}`), image.id);
  assert.is(await found('127.0.0.1:5000/test/alpine:latest'), undefined);
  assert.is(await found(`busybox@${image.digest}`), undefined);
  assert.is(await found('ab'), undefined, 'two hex digits are not an id prefix');
  assert.ok(fs.existsSync(path.join(store.layerPath(image.layers[0]!), 'base')));
  assert.equal((await store.readImageConfig(image)).config, { Cmd: ['sh'] });
  assert.equal(fs.readdirSync(store.tmpDir), [], 'the staging directory is gone');
});

test('an ambiguous id prefix is an error', async () => {
  const store = await newStore();
  const byPrefix = new Map<string, ImageRecord>();
  for (let seed = 0; ; seed++) {
    const image = await addImage(store, [], ['l'], String(seed));
    const prefix = image.id.slice(7, 10);
    if (byPrefix.has(prefix)) {
      await rejects(() => store.findImage(prefix), /ambiguous/);
      assert.is((await store.findImage(image.id.slice(7, 30)))?.id, image.id);
      return;
    }
    byPrefix.set(prefix, image);
  }
});

test('tag moves a name; rmi untags, then deletes and collects unused layers and blobs', async () => {
  const store = await newStore();
  const first = await addImage(store, ['docker.io/library/one:latest'], ['shared', 'only-one']);
  const second = await addImage(store, ['docker.io/library/two:latest'], ['shared'], 'two');
  await store.tag('one', 'mine:1');
  await store.tag('two', 'docker.io/library/one:latest');
  assert.equal((await store.findImage('one'))?.id, second.id, 'the name moved');
  assert.equal((await store.findImage(first.id))?.names, ['docker.io/library/mine:1']);
  await rejects(() => store.tag('nothing', 'x'), /image not known/);
  await rejects(() => store.tag('one', `x@${first.digest}`), /digest/);

  assert.equal(await store.removeImage('one'), { untagged: ['docker.io/library/one:latest'], deleted: [] });
  assert.ok(await store.findImage(second.id), 'still named two');
  const onlyOne = store.layerPath(first.layers[1]!);
  assert.equal(await store.removeImage('mine:1'), { untagged: ['docker.io/library/mine:1'], deleted: [first.id] });
  assert.not.ok(fs.existsSync(onlyOne), 'a layer no image uses is removed');
  assert.ok(store.hasLayer(first.layers[0]!), 'a layer another image uses stays');
  assert.not.ok(store.hasBlob(first.id));
  assert.not.ok(store.hasBlob(sha('gz of only-one')));
  assert.ok(store.hasBlob(sha('gz of shared')));
  await rejects(() => store.removeImage('one'), /image not known: one/);

  assert.equal((await store.removeImage(second.id.slice(7, 19))).deleted, [second.id], 'by id: the image goes with all names');
  assert.equal(fs.readdirSync(store.layersDir), []);
  assert.equal(fs.readdirSync(store.blobsDir), []);
});

test('rmi by id of an image named in two repositories needs force (or rmi -a); by name it untags', async () => {
  const store = await newStore();
  const image = await addImage(store, ['docker.io/library/one:latest', 'docker.io/library/one:v2'], ['l']);
  assert.equal((await store.removeImage(image.id.slice(7, 19))).deleted, [image.id], 'names in one repository: no question');
  const again = await addImage(store, ['docker.io/library/one:latest'], ['l']);
  await store.tag('one', 'other:v1');
  await rejects(() => store.removeImage(again.id.slice(7, 19)), /must be forced\): the image is referenced in 2 repositories/);
  assert.equal((await store.findImage(again.id))?.names.length, 2, 'nothing was removed');
  assert.equal((await store.removeImage(again.id, { allRepositories: true })).deleted, [again.id]);
  const third = await addImage(store, ['docker.io/library/one:latest'], ['l']);
  await store.tag('one', 'other:v1');
  assert.equal((await store.removeImage(third.id, { force: true })).untagged, ['docker.io/library/one:latest', 'docker.io/library/other:v1']);
});

test('rmi refuses an image a container uses unless forced', async () => {
  const store = await newStore();
  const image = await addImage(store, ['docker.io/library/used:latest'], ['l']);
  const usedBy = (id: string) => (id === image.id ? ['web'] : []);
  await rejects(() => store.removeImage('used', { usedBy }), /used by the container\(s\) web/);
  assert.ok(await store.findImage('used'), 'nothing was removed');
  assert.equal((await store.removeImage('used', { usedBy, force: true })).deleted, [image.id]);
});

test('prune removes dangling images; -a every unused one', async () => {
  const store = await newStore();
  const kept = await addImage(store, ['docker.io/library/kept:latest'], ['a']);
  const dangling = await addImage(store, ['docker.io/library/kept:latest'], ['b'], 'newer');
  assert.equal((await store.findImage(kept.id))?.names, [], 'the older image lost its name');
  assert.equal(await store.prune(), [kept.id]);
  assert.not.ok(store.hasLayer(kept.layers[0]!));
  assert.ok(store.hasLayer(dangling.layers[0]!));
  assert.equal(await store.prune({ all: true, usedBy: () => ['c1'] }), [], 'images in use stay');
  assert.equal(await store.prune({ all: true }), [dangling.id]);
  assert.equal(await store.listImages(), []);
});

test('concurrent commits all land (the lock serialises images.json updates)', async () => {
  const store = await newStore();
  const images = await Promise.all(Array.from({ length: 6 }, (_, i) => addImage(store, [`docker.io/library/img${i}:latest`], ['common', `own${i}`], String(i))));
  const listed = await store.listImages();
  assert.is(listed.length, 6);
  for (const image of images) assert.ok(await store.findImage(image.id));
  assert.ok(store.hasLayer(images[0]!.layers[0]!), 'the shared layer is there once');
});

test('the lock excludes a second holder until the first is done', async () => {
  const store = await newStore();
  const events: string[] = [];
  let releaseFirst!: () => void;
  const firstMayEnd = new Promise<void>((resolve) => (releaseFirst = resolve));
  let firstEntered!: () => void;
  const entered = new Promise<void>((resolve) => (firstEntered = resolve));
  const first = store.withLock(async () => {
    events.push('first in');
    firstEntered();
    await firstMayEnd;
    events.push('first out');
  });
  await entered;
  const second = store.withLock(async () => {
    events.push('second in');
  });
  await new Promise((resolve) => setTimeout(resolve, 50));
  releaseFirst();
  await Promise.all([first, second]);
  assert.equal(events, ['first in', 'first out', 'second in']);
});

test('taking the lock removes staging directories of dead processes, not of live ones', async () => {
  const store = await newStore();
  const dead = path.join(store.tmpDir, 'pull-dead');
  fs.mkdirSync(path.join(dead, 'layer-0'), { recursive: true });
  fs.writeFileSync(path.join(dead, 'blob-x'), 'partial');
  const live = await store.createTempDir('pull');
  await store.withLock(async () => undefined);
  assert.not.ok(fs.existsSync(dead));
  assert.ok(fs.existsSync(live.path));
  await live.release();
  assert.not.ok(fs.existsSync(live.path));
});

test.run();
