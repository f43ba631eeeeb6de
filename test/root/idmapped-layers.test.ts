// Real root's layers: unpacked once with their real owners, mounted into every container ID-mapped
// to the container's range. Nothing of the image is chowned or copied per container.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HOST_ID_LAYERS_MARKER } from '../../lib/image/layer-format.js';
import { ROOT_DEFAULT_RANGE } from '../../lib/runtime/idmap.js';
import type { RuntimeSpec } from '../../lib/spec/oci.js';
import { e2e } from '../e2e/harness.js';
import { pullIntoSandbox, rootless } from '../e2e/run-helpers.js';

const { box, image, env } = await pullIntoSandbox('idmapped-layers', e2e.images.alpine.reference);
const layer = box.layerPath(e2e.images.alpine.layers[0]!.diffID);

test.after(() => box.cleanup());

/** The bundles of containers kept after they exit (no --rm). */
function bundles(): RuntimeSpec[] {
  const dir = path.join(env.ROOTLESS_RUNTIME_DIR!, 'containers');
  return readdirSync(dir).map((id) => JSON.parse(readFileSync(path.join(dir, id, 'config.json'), 'utf8')) as RuntimeSpec);
}

test('layer files are owned by their real ids on disk and show the same ids inside', () => {
  assert.is(process.getuid!(), 0, 'run this suite as root');
  // alpine's /etc/shadow is root:shadow (gid 42): a second id, not only 0
  const shadow = statSync(path.join(layer, 'etc/shadow'));
  assert.equal([statSync(path.join(layer, 'bin/busybox')).uid, shadow.uid, shadow.gid], [0, 0, 42]);
  assert.is(statSync(path.join(box.store, 'layers')).mode & 0o777, 0o700, "layers with setuid-root programs are root's alone");
  const result = rootless(['run', '--rm', image, 'stat', '-c', '%u:%g', '/bin/busybox', '/etc/shadow'], env);
  assert.is(result.exitCode, 0, result.stderr);
  assert.equal(result.stdout.trim().split('\n'), ['0:0', '0:42']);
});

test("a file the container creates lands in the container's range; the layer stays untouched", () => {
  const result = rootless(['run', image, 'sh', '-c', 'touch /made && mkdir /etc/new && chown 1000:1000 /etc/new && echo changed >> /etc/motd'], env);
  assert.is(result.exitCode, 0, result.stderr);
  const [storage] = readdirSync(path.join(box.store, 'containers'));
  const upper = path.join(box.store, 'containers', storage!, 'upper');
  const start = ROOT_DEFAULT_RANGE.start;
  assert.is(statSync(path.join(upper, 'made')).uid, start);
  assert.equal([statSync(path.join(upper, 'etc/new')).uid, statSync(path.join(upper, 'etc/new')).gid], [start + 1000, start + 1000]);
  // the copied-up motd keeps its owner in the container's terms: root of the range
  assert.is(statSync(path.join(upper, 'etc/motd')).uid, start);
  assert.is(statSync(path.join(layer, 'etc/motd')).uid, 0);
  assert.not.match(readFileSync(path.join(layer, 'etc/motd'), 'utf8'), 'changed');
  // the overlay's lower dirs are the ID-mapped staging mounts, paired with the store's layer dirs
  const [spec] = bundles();
  const lowerdir = spec!.mounts[0]!.options!.find((option) => option.startsWith('lowerdir='))!;
  assert.ok(lowerdir.startsWith(`lowerdir=${env.ROOTLESS_RUNTIME_DIR}/containers/`), lowerdir);
  assert.match(spec!.annotations!['org.rootless.idmapped-mounts']!, layer);
  rmSync(path.join(box.store, 'containers'), { recursive: true });
  rmSync(path.join(env.ROOTLESS_RUNTIME_DIR!, 'containers'), { recursive: true });
});

/** Runs a container with `dir` as an :idmap volume: host owners show as the same ids inside, created files keep them. */
function checkIdmapVolume(dir: string): void {
  writeFileSync(path.join(dir, 'host-file'), 'x');
  chmodSync(dir, 0o755);
  const result = rootless(['run', '--rm', '--userns=auto', '-v', `${dir}:/data:idmap`, image, 'sh', '-c', 'stat -c %u /data/host-file && touch /data/new && chown 7:7 /data/new'], env);
  assert.is(result.exitCode, 0, result.stderr);
  assert.is(result.stdout.trim(), '0');
  assert.equal([statSync(path.join(dir, 'new')).uid, statSync(path.join(dir, 'new')).gid], [7, 7]);
  const readonly = rootless(['run', '--rm', '-v', `${dir}:/data:ro,idmap`, image, 'touch', '/data/other'], env);
  assert.is.not(readonly.exitCode, 0);
  assert.match(readonly.stderr, 'Read-only file system');
}

test('-v SRC:DST:idmap as root on a host disk: owners as on disk inside and out', () => {
  checkIdmapVolume(mkdtempSync(path.join(box.dir, 'idmap-vol-')));
});

test('-v SRC:DST:idmap as root on a tmpfs', () => {
  const dir = mkdtempSync(path.join(box.dir, 'idmap-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]);
  try {
    checkIdmapVolume(dir);
  } finally {
    execFileSync('umount', [dir]);
  }
});

test('a root store unpacked the old way (no format marker) is refused with the way out', () => {
  rmSync(path.join(box.store, HOST_ID_LAYERS_MARKER));
  const refused = rootless(['run', '--rm', image, 'true'], env);
  assert.is(refused.exitCode, 125);
  assert.match(refused.stderr, /^Error: the store \S+ holds layers unpacked by an older rootless inside a fixed id range.*\. Remove the old images and pull them again: rootless rmi --all --force, then rootless pull IMAGE\n$/);
  assert.is(rootless(['pull', '--quiet', image], env).exitCode, 125, 'pull refuses too');
  assert.is(rootless(['rmi', '--all', '--force'], env).exitCode, 0);
  assert.is(rootless(['pull', '--quiet', image], env).exitCode, 0);
  const result = rootless(['run', '--rm', image, 'stat', '-c', '%u', '/bin/busybox'], env);
  assert.is(result.exitCode, 0, result.stderr);
  assert.is(result.stdout.trim(), '0');
});

test.run();
