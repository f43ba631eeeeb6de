// `rootless unshare CMD…`: the command runs as root of a user namespace holding the user's
// subordinate ids, its own options stay its own, and its exit status is the CLI's.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createSandbox, said, type Sandbox } from './harness.js';

const test = suite('rootless unshare');
let box: Sandbox;

/** The first /etc/subuid range of the user running the tests: "start count". */
function firstSubordinateRange(): [number, number] {
  const { username, uid } = os.userInfo();
  for (const line of readFileSync('/etc/subuid', 'utf8').split('\n')) {
    const [owner, start, count] = line.trim().split(':');
    if (owner === username || owner === String(uid)) return [Number(start), Number(count)];
  }
  throw new Error(`/etc/subuid has no range for ${username}`);
}

test.before(() => {
  box = createSandbox('unshare');
});
test.after(async () => {
  await box.cleanup();
});

test('the command runs as uid 0 of the namespace', async () => {
  const result = await box.rootless(['unshare', 'id', '-u']);
  assert.is(result.exitCode, 0, said(result));
  assert.is(result.stdout.trim(), '0');
});

test('the namespace maps the user to 0 and the subordinate range above it', async () => {
  const result = await box.rootless(['unshare', 'cat', '/proc/self/uid_map']);
  assert.is(result.exitCode, 0, said(result));
  const rows = result.stdout.trim().split('\n').map((line) => line.trim().split(/\s+/).map(Number));
  assert.equal(rows[0], [0, os.userInfo().uid, 1], 'the user is root inside');
  const [start, count] = firstSubordinateRange();
  assert.equal(rows[1], [1, start, count], 'its first subordinate range follows');
});

test("the command's own options are not the CLI's", async () => {
  const result = await box.rootless(['unshare', 'echo', '--version', '-h', '--help']);
  assert.is(result.exitCode, 0, said(result));
  assert.is(result.stdout, '--version -h --help\n');
  const dashed = await box.rootless(['unshare', '--', 'id', '-u']);
  assert.is(dashed.stdout.trim(), '0', said(dashed));
});

test('the exit status passes through', async () => {
  const result = await box.rootless(['unshare', 'sh', '-c', 'echo out; echo err >&2; exit 7']);
  assert.is(result.exitCode, 7, said(result));
  assert.is(result.stdout, 'out\n');
  assert.is(result.stderr, 'err\n');
});

test.run();
