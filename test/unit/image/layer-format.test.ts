import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HOST_ID_LAYERS_MARKER, requireHostIdLayers } from '../../../lib/image/layer-format.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'layer-format-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

test('a store without layers gets the marker, and private layers/ and tmp/ dirs', async () => {
  const store = path.join(root, 'fresh');
  mkdirSync(path.join(store, 'layers'), { recursive: true, mode: 0o711 });
  await requireHostIdLayers(store);
  assert.ok(existsSync(path.join(store, HOST_ID_LAYERS_MARKER)));
  for (const dir of ['layers', 'tmp']) assert.is(statSync(path.join(store, dir)).mode & 0o777, 0o700, dir);
  await requireHostIdLayers(store); // marked: nothing to do, even once layers exist
  mkdirSync(path.join(store, 'layers', 'abc'));
  await requireHostIdLayers(store);
});

test('layers without the marker (unpacked the old way) are refused with the way out', async () => {
  const store = path.join(root, 'old');
  mkdirSync(path.join(store, 'layers', 'abc'), { recursive: true });
  try {
    await requireHostIdLayers(store);
    assert.unreachable('an old store was accepted');
  } catch (error) {
    assert.match((error as Error).message, `the store ${store} holds layers unpacked by an older rootless`);
    assert.match((error as { remedy: string }).remedy, 'rootless rmi --all --force, then rootless pull IMAGE');
  }
  assert.not.ok(existsSync(path.join(store, HOST_ID_LAYERS_MARKER)), 'no marker written over old layers');
});

test.run();
