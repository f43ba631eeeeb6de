import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RootlessError } from '../../../lib/errors.js';
import { lgetxattr, llistxattr } from '../../../lib/sys/fs.js';
import { unpackLayer } from '../../../lib/image/unpack.js';
import { tarBuffer, type TarEntry } from './tar-helpers.js';

const MTIME = new Date('2020-01-02T03:04:05Z');

/** A fresh sandbox: `layer` is the unpack target, `outside` must stay untouched. */
function sandbox(): { layer: string; outside: string } {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'unpack-test-'));
  fs.mkdirSync(path.join(base, 'layer'));
  fs.mkdirSync(path.join(base, 'outside'));
  return { layer: path.join(base, 'layer'), outside: path.join(base, 'outside') };
}

async function unpack(entries: TarEntry[], layer: string) {
  return unpackLayer(Readable.from([await tarBuffer(entries)]), layer);
}

async function refused(entries: TarEntry[], pattern: RegExp): Promise<{ layer: string; outside: string }> {
  const dirs = sandbox();
  try {
    await unpack(entries, dirs.layer);
    assert.unreachable('the layer should be refused');
  } catch (error) {
    assert.instance(error, RootlessError);
    assert.match((error as Error).message, pattern);
  }
  assert.equal(fs.readdirSync(dirs.outside), [], 'nothing written outside the layer');
  assert.not.ok(fs.existsSync(path.join(path.dirname(dirs.layer), 'escaped')));
  return dirs;
}

test('files, directories, symlinks, hard links, modes, owners and mtimes', async () => {
  // arbitrary owners need root here; as a user, the worker test covers them inside a user namespace
  if (process.getuid!() !== 0) return console.log('  skipped: setting other owners needs root');
  const { layer } = sandbox();
  await unpack(
    [
      { name: 'bin/', type: 'directory', mode: 0o755 },
      { name: 'bin/tool', body: 'echo hi\n', mode: 0o4755, uid: 1234, gid: 2345 },
      { name: 'bin/alias', type: 'link', linkname: 'bin/tool' },
      { name: 'bin/sh', type: 'symlink', linkname: '/bin/tool' },
      { name: 'shared/', type: 'directory', mode: 0o2775, uid: 7, gid: 8 },
      { name: 'shared/file', body: 'x', mode: 0o600 },
      { name: 'pipe', type: 'fifo', mode: 0o644 },
    ],
    layer,
  );
  const tool = fs.lstatSync(path.join(layer, 'bin/tool'));
  assert.is(fs.readFileSync(path.join(layer, 'bin/tool'), 'utf8'), 'echo hi\n');
  assert.is(tool.mode & 0o7777, 0o4755, 'setuid survives the chown');
  assert.is(tool.uid, 1234);
  assert.is(tool.gid, 2345);
  assert.is(tool.mtime.getTime(), MTIME.getTime());
  assert.is(fs.lstatSync(path.join(layer, 'bin/alias')).ino, tool.ino, 'hard link shares the inode');
  assert.is(fs.readlinkSync(path.join(layer, 'bin/sh')), '/bin/tool');
  const shared = fs.lstatSync(path.join(layer, 'shared'));
  assert.is(shared.mode & 0o7777, 0o2775);
  assert.is(shared.uid, 7);
  assert.is(shared.mtime.getTime(), MTIME.getTime(), 'a directory keeps its mtime after its contents were written');
  assert.ok(fs.lstatSync(path.join(layer, 'pipe')).isFIFO());
});

test('whiteouts become character devices 0:0, opaque markers an xattr', async () => {
  const { layer } = sandbox();
  await unpack(
    [
      { name: 'etc/', type: 'directory', mode: 0o755 },
      { name: 'etc/.wh.motd' },
      { name: 'etc/apk/', type: 'directory', mode: 0o755 },
      { name: 'etc/apk/.wh..wh..opq' },
      { name: 'etc/apk/marker', body: 'marker\n' },
      { name: 'etc/.wh..wh.plnk' },
    ],
    layer,
  );
  const whiteout = fs.lstatSync(path.join(layer, 'etc/motd'));
  assert.ok(whiteout.isCharacterDevice());
  assert.is(whiteout.rdev, 0);
  assert.is(lgetxattr(path.join(layer, 'etc/apk'), 'user.overlay.opaque')?.toString(), 'y');
  assert.is(fs.readFileSync(path.join(layer, 'etc/apk/marker'), 'utf8'), 'marker\n');
  assert.equal(fs.readdirSync(path.join(layer, 'etc')).sort(), ['apk', 'motd'], 'no .wh. files are left');
});

test('PAX long names and user xattrs; overlay and privileged xattrs are not taken from a layer', async () => {
  const { layer } = sandbox();
  const long = `${'d'.repeat(120)}/${'f'.repeat(150)}`;
  await unpack(
    [
      { name: long, body: 'deep', pax: { 'SCHILY.xattr.user.comment': 'hello', 'SCHILY.xattr.user.overlay.opaque': 'y', 'SCHILY.xattr.trusted.x': 'z' } },
    ],
    layer,
  );
  const file = path.join(layer, long);
  assert.is(fs.readFileSync(file, 'utf8'), 'deep');
  assert.is(lgetxattr(file, 'user.comment')?.toString(), 'hello');
  assert.equal(llistxattr(file), ['user.comment']);
});

test('later entries replace earlier ones of another type', async () => {
  const { layer } = sandbox();
  await unpack(
    [
      { name: 'a', body: 'file' },
      { name: 'a/', type: 'directory', mode: 0o755 },
      { name: 'a/inner', body: 'x' },
      { name: 'b/', type: 'directory', mode: 0o755 },
      { name: 'b/inner', body: 'x' },
      { name: 'b', type: 'symlink', linkname: 'a' },
    ],
    layer,
  );
  assert.ok(fs.lstatSync(path.join(layer, 'a')).isDirectory());
  assert.ok(fs.lstatSync(path.join(layer, 'b')).isSymbolicLink());
});

test('refuses `..` and absolute entries', async () => {
  await refused([{ name: 'ok', body: 'x' }, { name: '../escaped', body: 'x' }], /climbs out/);
  await refused([{ name: 'a/../../escaped', body: 'x' }], /climbs out/);
  await refused([{ name: '/etc/escaped', body: 'x' }], /absolute/);
});

test('refuses entries through a symlink the layer made, and hard links to outside', async () => {
  const base = sandbox();
  await refused([{ name: 'link', type: 'symlink', linkname: base.outside }, { name: 'link/escaped', body: 'x' }], /symlink `link`/);
  await refused([{ name: 'up', type: 'symlink', linkname: '..' }, { name: 'up/escaped', body: 'x' }], /symlink `up`/);
  await refused([{ name: 'hard', type: 'link', linkname: '../outside/secret' }], /climbs out/);
  await refused([{ name: 'to', type: 'symlink', linkname: base.outside }, { name: 'hard', type: 'link', linkname: 'to/secret' }], /symlink `to`/);
  await refused([{ name: 'd/', type: 'directory' }, { name: 'hard', type: 'link', linkname: 'd' }], /directory/);
});

test('an entry named like a symlink to outside replaces the symlink, never writes through it', async () => {
  const { layer, outside } = sandbox();
  await unpack([{ name: 'victim', type: 'symlink', linkname: path.join(outside, 'target') }, { name: 'victim', body: 'mine' }], layer);
  assert.equal(fs.readdirSync(outside), []);
  assert.is(fs.readFileSync(path.join(layer, 'victim'), 'utf8'), 'mine');
});

test.run();
