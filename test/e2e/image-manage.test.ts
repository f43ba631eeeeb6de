// Managing local images: tag, rmi (with and without -f), image prune (-a), and errors for
// names that do not exist. One store, steps in order; layers are shared by alpine and multilayer.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createSandbox, hex, e2e, errorLines, inspectImage, parseImages, said, shortId, type Sandbox } from './harness.js';

const test = suite('image management');
const alpine = e2e.images.alpine;
const multilayer = e2e.images.multilayer;
const retagged = `${e2e.registries.plain.address}/test/retagged:v1`;
const dangling = `${e2e.registries.plain.address}/test/dangling:v1`;
let box: Sandbox;

async function imageRows() {
  const images = await box.rootless(['images']);
  assert.is(images.exitCode, 0, said(images));
  return parseImages(images.stdout);
}

async function ids(): Promise<string[]> {
  const result = await box.rootless(['images', '-q']);
  assert.is(result.exitCode, 0, said(result));
  return [...new Set(result.stdout.split('\n').map((line) => line.trim()).filter(Boolean))];
}

async function ok(args: string[]): Promise<void> {
  const result = await box.rootless(args);
  assert.is(result.exitCode, 0, `${args.join(' ')}: ${said(result)}`);
}

async function fails(args: string[]): Promise<void> {
  const result = await box.rootless(args);
  assert.is(result.exitCode, 125, `${args.join(' ')}: ${said(result)}`);
  assert.match(errorLines(result)[0] ?? '', /^Error: /, `${args.join(' ')}: ${said(result)}`);
}

test.before(async () => {
  box = createSandbox('manage');
  await ok(['pull', alpine.reference]);
  await ok(['pull', multilayer.reference]);
});
test.after(async () => {
  await box.cleanup();
});

test('tag gives an image a second name with the same id', async () => {
  await ok(['tag', alpine.reference, retagged]);
  const rows = await imageRows();
  const row = rows.find((r) => `${r.repository}:${r.tag}` === retagged);
  assert.ok(row, `images lists ${retagged}`);
  assert.is(row.id, shortId(alpine.configDigest));
  const info = await inspectImage(box, retagged);
  assert.is(hex(info.Id), hex(alpine.configDigest), 'Id is the config digest');
  assert.ok((info.RepoTags as string[]).includes(alpine.reference), 'the original name stays');
});

test('tag, rmi and image inspect of an unknown image exit 125', async () => {
  await fails(['tag', `${e2e.registries.plain.address}/test/nothing:here`, retagged]);
  await fails(['rmi', `${e2e.registries.plain.address}/test/nothing:here`]);
  await fails(['image', 'inspect', `${e2e.registries.plain.address}/test/nothing:here`]);
});

test('rmi of one name of an image with two names only untags it', async () => {
  await ok(['rmi', retagged]);
  const rows = await imageRows();
  assert.not.ok(rows.some((r) => r.repository.endsWith('/test/retagged')), 'the removed name is gone');
  assert.ok(rows.some((r) => r.repository === alpine.repository), 'the image keeps its other name');
  assert.ok(box.list('layers').includes(hex(alpine.layers[0]!.diffID)), 'its layer stays');
});

test('rmi by id of an image with several names needs -f', async () => {
  await ok(['tag', alpine.reference, retagged]);
  await fails(['rmi', shortId(alpine.configDigest)]);
  assert.ok((await ids()).includes(shortId(alpine.configDigest)), 'the image is still there');
  await ok(['rmi', '-f', shortId(alpine.configDigest)]);
  const rows = await imageRows();
  assert.not.ok(rows.some((r) => r.id === shortId(alpine.configDigest)), 'every name of the image is gone');
  assert.ok(rows.some((r) => r.repository === multilayer.repository), 'the other image stays');
  assert.ok(box.list('layers').includes(hex(multilayer.layers[0]!.diffID)), 'the base layer stays: multilayer still uses it');
});

test('rmi of the last image frees its layers and blobs', async () => {
  await ok(['rmi', multilayer.reference]);
  assert.equal(await ids(), []);
  assert.equal(box.list('layers'), [], 'no unpacked layer is left');
  for (const layer of multilayer.layers) assert.not.ok(box.list('blobs/sha256').includes(hex(layer.digest)), `blob ${layer.digest} removed`);
});

test('image prune removes dangling images only; prune -a removes every unused image', async () => {
  await ok(['pull', alpine.reference]);
  await ok(['pull', multilayer.reference]);
  // Moving the only name of alpine's image to multilayer leaves alpine's image dangling.
  await ok(['tag', alpine.reference, dangling]);
  await ok(['rmi', alpine.reference]);
  await ok(['tag', multilayer.reference, dangling]);
  assert.ok((await ids()).includes(shortId(alpine.configDigest)), 'the untagged image is still stored (dangling)');

  await ok(['image', 'prune', '-f']);
  const afterPrune = await ids();
  assert.not.ok(afterPrune.includes(shortId(alpine.configDigest)), 'the dangling image was pruned');
  assert.ok(afterPrune.includes(shortId(multilayer.configDigest)), 'a named image survives image prune');
  assert.ok(box.list('layers').includes(hex(multilayer.layers[0]!.diffID)), 'the shared base layer survives');

  await ok(['image', 'prune', '-a', '-f']);
  assert.equal(await ids(), [], 'prune -a removed every image');
  assert.equal(box.list('layers'), [], 'and their layers');
});

test.run();
