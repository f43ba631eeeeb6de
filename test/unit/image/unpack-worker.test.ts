// The unpack worker in a real user namespace, as an unprivileged user (rltest when run as root):
// the tar's owners must land in that user's subordinate range on disk.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { currentUser, readSubIds } from '../../../lib/runtime/idmap.js';
import { tarBuffer } from './tar-helpers.js';

const runnerModule = new URL('../../../lib/image/unpack-runner.js', import.meta.url).pathname;
const QUIET = { stdio: ['ignore', 'pipe', 'pipe'] as Array<'ignore' | 'pipe'> };
const asRoot = process.getuid?.() === 0;
const user = asRoot ? { uid: Number(execFileSync('id', ['-u', 'rltest']).toString()), name: 'rltest' } : currentUser();

/** Runs the worker on `compressed` as the test user; returns its verdict. */
function unpackAsUser(compressed: Buffer, compression: string, target: string, singleId = false): { diffID: string; notes: string[] } {
  const input = path.join(path.dirname(target), 'layer.blob');
  fs.writeFileSync(input, compressed);
  const script = `
    import fs from 'node:fs';
    import { startUnpackWorker } from ${JSON.stringify(runnerModule)};
    const single = (id) => [{ containerID: 0, hostID: id, size: 1 }];
    const plan = ${singleId} ? { uidMappings: single(process.getuid()), gidMappings: single(process.getgid()) } : undefined;
    const job = (await startUnpackWorker(plan)).begin(${JSON.stringify(target)}, ${JSON.stringify(compression)});
    fs.createReadStream(${JSON.stringify(input)}).pipe(job.input);
    process.stdout.write(JSON.stringify(await job.result));`;
  const argv = [process.execPath, '--input-type=module', '-e', script];
  const output = asRoot ? execFileSync('runuser', ['-u', 'rltest', '--', ...argv], QUIET) : execFileSync(argv[0]!, argv.slice(1), QUIET);
  return JSON.parse(output.toString()) as { diffID: string; notes: string[] };
}

function workDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unpack-worker-'));
  fs.mkdirSync(path.join(dir, 'layer'));
  if (asRoot) execFileSync('chown', ['-R', `${user.uid}`, dir]);
  return dir;
}

test('owners land in the subordinate range; the diff_id is the sha256 of the tar', async () => {
  const ranges = readSubIds('/etc/subuid', user);
  assert.ok(ranges.length > 0, `${user.name} needs a range in /etc/subuid for this test`);
  const tar = await tarBuffer([
    { name: 'etc/', type: 'directory', mode: 0o755 },
    { name: 'etc/owned', body: 'x', uid: 1234, gid: 0, mode: 0o4750 },
    { name: 'etc/.wh.gone' },
    { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666 },
  ]);
  const dir = workDir();
  const result = unpackAsUser(gzipSync(tar), 'gzip', path.join(dir, 'layer'));
  assert.is(result.diffID, `sha256:${createHash('sha256').update(tar).digest('hex')}`);
  const owned = fs.lstatSync(path.join(dir, 'layer/etc/owned'));
  assert.is(owned.uid, ranges[0]!.start + 1234 - 1);
  assert.is(owned.mode & 0o7777, 0o4750);
  assert.is(fs.lstatSync(path.join(dir, 'layer/etc')).uid, user.uid, 'namespace root is the user');
  assert.ok(fs.lstatSync(path.join(dir, 'layer/etc/gone')).isCharacterDevice());
  assert.not.ok(fs.existsSync(path.join(dir, 'layer/dev/null')), 'a real device cannot be made in a user namespace');
  assert.equal(result.notes, ['skipped device nodes (an unprivileged user cannot create them; the runtime provides /dev)']);
  if (asRoot) fs.rmSync(dir, { recursive: true });
});

test('with a single mapped id, owners collapse to the user and unpacking goes on', async () => {
  const tar = await tarBuffer([{ name: 'owned', body: 'x', uid: 1234, gid: 99, mode: 0o640 }]);
  const dir = workDir();
  const result = unpackAsUser(gzipSync(tar), 'gzip', path.join(dir, 'layer'), true);
  const owned = fs.lstatSync(path.join(dir, 'layer/owned'));
  assert.is(owned.uid, user.uid);
  assert.is(owned.mode & 0o777, 0o640);
  assert.equal(result.notes, ['file owners other than root were not kept (only one id is mapped)']);
  if (asRoot) fs.rmSync(dir, { recursive: true });
});

test('zstd and uncompressed layers', async () => {
  const tar = await tarBuffer([{ name: 'file', body: 'z'.repeat(100_000) }]);
  const digest = `sha256:${createHash('sha256').update(tar).digest('hex')}`;
  const dir = workDir();
  assert.is(unpackAsUser(tar, 'none', path.join(dir, 'layer')).diffID, digest);
  const zstd = execFileSync('zstd', ['-q', '-c'], { input: tar });
  fs.rmSync(path.join(dir, 'layer/file'));
  assert.is(unpackAsUser(zstd, 'zstd', path.join(dir, 'layer')).diffID, digest);
  assert.is(fs.readFileSync(path.join(dir, 'layer/file'), 'utf8').length, 100_000);
  if (asRoot) fs.rmSync(dir, { recursive: true });
});

test('a hostile layer is reported as an error message from the worker', async () => {
  const tar = await tarBuffer([{ name: '../escaped', body: 'x' }]);
  const dir = workDir();
  assert.throws(() => unpackAsUser(gzipSync(tar), 'gzip', path.join(dir, 'layer')), /climbs out/);
  assert.not.ok(fs.existsSync(path.join(dir, 'escaped')));
  if (asRoot) fs.rmSync(dir, { recursive: true });
});

test.run();
