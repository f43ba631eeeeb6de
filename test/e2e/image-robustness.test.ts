// A pull killed in the middle leaves a store that the next pull repairs; concurrent pulls of the
// same image (and of images sharing a layer) both succeed and record one image each.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { sandboxPool, hex, e2e, inspectImage, parseImages, said, shortId } from './harness.js';
import { startStallingProxy, type StallingProxy } from './stalling-proxy.js';

const test = suite('image pull robustness');
const image = e2e.images.alpine;
const sandboxes = sandboxPool('robust');
const sandbox = sandboxes.create;
let proxy: StallingProxy | undefined;
test.after(async () => {
  await proxy?.close();
  await sandboxes.cleanupAll();
});

test('a pull killed with SIGKILL mid-download is completed by the next pull', async () => {
  const box = sandbox('killed');
  proxy = await startStallingProxy(e2e.registries.plain.address);
  const reference = `${proxy.address}/test/alpine:3.20`;
  const stalled = proxy.stallOn(image.layers[0]!.digest);
  const pull = box.start(['pull', reference]);
  const outcome = await Promise.race([stalled.then(() => 'stalled' as const), pull.then(() => 'exited' as const)]);
  if (outcome === 'exited') assert.unreachable(`the pull should have been held mid-download, but it ended: ${String((await pull).stderr)}`);
  pull.kill('SIGKILL');
  const killed = await pull;
  assert.is(killed.signal, 'SIGKILL', `the pull was to be killed, but it ended: exit ${killed.exitCode}, ${String(killed.stderr)}`);
  proxy.release();

  const again = await box.rootless(['pull', reference]);
  assert.is(again.exitCode, 0, said(again));
  const rows = parseImages((await box.rootless(['images'])).stdout);
  assert.is(rows.length, 1, 'one image, listed once');
  assert.is(rows[0]!.id, shortId(image.configDigest));
  assert.is(rows[0]!.repository, `${proxy.address}/test/alpine`);
  const info = await inspectImage(box, reference);
  assert.is(hex(info.Id), hex(image.configDigest), 'Id is the config digest');
  assert.ok(existsSync(path.join(box.layerPath(image.layers[0]!.diffID), e2e.baseMarker)), 'the layer is complete');
  assert.equal(box.list('tmp'), [], 'the killed pull left nothing in tmp/ after the next pull');
});

test('two concurrent pulls of the same image both succeed and record it once', async () => {
  const box = sandbox('same');
  const [first, second] = await Promise.all([box.start(['pull', image.reference]), box.start(['pull', image.reference])]);
  assert.is(first.exitCode, 0, String(first.stderr));
  assert.is(second.exitCode, 0, String(second.stderr));
  const rows = parseImages((await box.rootless(['images'])).stdout);
  assert.is(rows.length, 1, `listed once: ${rows.map((row) => row.repository).join(', ')}`);
  assert.is(rows[0]!.id, shortId(image.configDigest));
  assert.equal(box.list('layers'), [hex(image.layers[0]!.diffID)]);
});

test('concurrent pulls of two images that share a base layer both succeed', async () => {
  const box = sandbox('shared');
  const multilayer = e2e.images.multilayer;
  const [first, second] = await Promise.all([box.start(['pull', image.reference]), box.start(['pull', multilayer.reference])]);
  assert.is(first.exitCode, 0, String(first.stderr));
  assert.is(second.exitCode, 0, String(second.stderr));
  const ids = (await box.rootless(['images', '-q'])).stdout.split('\n').map((line) => line.trim()).filter(Boolean);
  assert.equal([...new Set(ids)].sort(), [shortId(image.configDigest), shortId(multilayer.configDigest)].sort());
  for (const layer of multilayer.layers) {
    assert.ok(box.list('layers').includes(hex(layer.diffID)), `layer ${layer.diffID} is there`);
  }
  const inspected = await inspectImage(box, multilayer.reference);
  assert.is(hex(inspected.Id), hex(multilayer.configDigest), 'Id is the config digest');
});

test.run();
