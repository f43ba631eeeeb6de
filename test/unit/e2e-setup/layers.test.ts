// The e2e test images are only as good as their layers: the malicious entries must reach the
// registry byte for byte (a builder that "fixed" `../` would make the escape tests vacuous).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import path from 'node:path';
import tarStream from 'tar-stream';
import { climbTo } from '../../e2e/setup/catalog.js';
import { buildTar, gunzip, gzip, sha256 } from '../../e2e/setup/layers.js';

interface Seen {
  name: string;
  type: string | null | undefined;
  linkname: string | null | undefined;
  uid: number | undefined;
  mode: number | undefined;
}

async function entriesOf(tar: Buffer): Promise<Seen[]> {
  const extract = tarStream.extract();
  const seen: Seen[] = [];
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      seen.push({ name: header.name, type: header.type, linkname: header.linkname, uid: header.uid, mode: header.mode });
      stream.on('end', next);
      stream.resume();
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  extract.end(tar);
  await done;
  return seen;
}

test('buildTar keeps ../ names, link targets, owners and modes exactly', async () => {
  const tar = await buildTar([
    { name: '../../escaped-file', content: 'x' },
    { name: 'link', type: 'symlink', linkname: '/tmp/somewhere' },
    { name: 'hard', type: 'link', linkname: '../../outside' },
    { name: 'owned/', type: 'directory', uid: 1000, mode: 0o1777 },
  ]);
  const seen = await entriesOf(tar);
  assert.equal(seen.map((entry) => entry.name), ['../../escaped-file', 'link', 'hard', 'owned/']);
  assert.is(seen[1]!.linkname, '/tmp/somewhere');
  assert.is(seen[2]!.type, 'link');
  assert.is(seen[2]!.linkname, '../../outside');
  assert.is(seen[3]!.uid, 1000);
  assert.is(seen[3]!.mode! & 0o7777, 0o1777);
});

test('the same entries always give the same digest (fixed mtime), and gzip round-trips', async () => {
  const entries = [{ name: 'etc/motd', content: 'hello\n' }];
  const first = await buildTar(entries);
  const second = await buildTar(entries);
  assert.is(sha256(first), sha256(second));
  assert.match(sha256(first), /^sha256:[0-9a-f]{64}$/);
  assert.ok(gunzip(gzip(first)).equals(first));
});

test('climbTo reaches an absolute target from any unpack depth', () => {
  const entry = climbTo('/tmp/rootless-e2e.X/escape/escaped-dotdot');
  for (const base of ['/a', '/tmp/x/store/tmp/unpack-1', '/very/deep/path/with/many/levels/of/dirs/here/store/tmp/u']) {
    assert.is(path.resolve(base, entry), '/tmp/rootless-e2e.X/escape/escaped-dotdot');
  }
});

test.run();
