// `rootless run` with images as the registry serves them: a two-layer image's whiteout and opaque
// dir as the container sees them, and the --pull policies.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { e2e } from './harness.js';
import { pullIntoSandbox, rootless, type PulledImage } from './run-helpers.js';

const test = suite('run: pulled images');
const alpine = e2e.images.alpine.reference;
const multilayer = e2e.images.multilayer.reference;
let pulled: PulledImage;
const run = (args: string[]) => rootless(['run', '--rm', ...args], pulled.env);
const said = (result: { exitCode: number | null; stdout: string; stderr: string }) =>
  `exit ${result.exitCode}; stdout: ${result.stdout.trim()}; stderr: ${result.stderr.trim()}`;

test.before(async () => {
  pulled = await pullIntoSandbox('run-image', multilayer);
});
test.after(() => pulled.box.cleanup());

test('multilayer: the whiteout hides /etc/motd, the opaque /etc/apk holds only the upper layer\'s files', () => {
  const script = `test -e /etc/motd && echo motd || echo no-motd; ls -A /etc/apk; cat /etc/apk/marker; test -e /${e2e.baseMarker} && echo base`;
  const result = run([multilayer, 'sh', '-c', script]);
  assert.is(result.exitCode, 0, said(result));
  assert.is(result.stdout, 'no-motd\nmarker\nmarker-hardlink\nmarker-symlink\nopaque\nbase\n');
  // the base image alone still has both: what hid them is the upper layer
  const base = rootless(['run', '--rm', alpine, 'sh', '-c', 'test -e /etc/motd && echo motd; ls -A /etc/apk | grep -vc "^marker"'], pulled.env);
  assert.is(base.exitCode, 0, said(base));
  const [motd, others] = base.stdout.trim().split('\n');
  assert.is(motd, 'motd');
  assert.ok(Number(others) > 0, `the base /etc/apk has other entries: ${base.stdout}`);
});

test('--pull=never with an image not in the store: 125, one line naming the image and the fix', () => {
  const missing = `${e2e.registries.plain.address}/test/never-pulled:v1`;
  const result = rootless(['run', '--rm', '--pull=never', missing, 'true'], pulled.env);
  assert.is(result.exitCode, 125, said(result));
  assert.is(result.stdout, '');
  assert.match(result.stderr, /^Error: image \S*never-pulled:v1 is not in the store\. Pull it with `rootless pull \S+`, or drop --pull=never\n$/);
  const containers = path.join(pulled.box.store, 'containers');
  assert.ok(!existsSync(containers) || readdirSync(containers).length === 0, 'no container was left behind');
});

test('--pull=always pulls again: a stale local name is replaced by what the registry has', async () => {
  // the local name `alpine` now means the multilayer image, which has no /etc/motd
  const tagged = await pulled.box.rootless(['tag', multilayer, alpine]);
  assert.is(tagged.exitCode, 0, said(tagged));
  assert.is(run(['--pull=never', alpine, 'test', '-e', '/etc/motd']).exitCode, 1, 'never: the local image');
  assert.is(run(['--pull=missing', alpine, 'test', '-e', '/etc/motd']).exitCode, 1, 'missing: the local image');
  const always = run(['--pull=always', alpine, 'test', '-e', '/etc/motd']);
  assert.is(always.exitCode, 0, `always: the registry's image; ${said(always)}`);
  assert.match(always.stderr, /: Already exists\n/, 'the pull ran (its layer was already stored)');
  assert.is(run(['--pull=never', alpine, 'test', '-e', '/etc/motd']).exitCode, 0, 'the re-pulled image took the name back');
});

test.run();
