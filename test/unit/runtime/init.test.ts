import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findCommand } from '../../../lib/runtime/container-process.js';
import { InitError } from '../../../lib/runtime/init-error.js';
import { resolveInRoot } from '../../../lib/runtime/root-path.js';
import { splitOptions } from '../../../lib/runtime/rootfs.js';
import { MS_BIND, MS_NOSUID, MS_RDONLY, MS_REC } from '../../../lib/sys/mount.js';

test('mount options split into flags and filesystem data', () => {
  assert.equal(splitOptions(['nosuid', 'mode=755', 'ro', 'size=1m']), { flags: MS_NOSUID | MS_RDONLY, data: 'mode=755,size=1m' });
  assert.equal(splitOptions(['rbind']), { flags: MS_BIND | MS_REC, data: '' });
});

test('symlinks in the image resolve inside the rootfs, never outside', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'root-path-'));
  mkdirSync(path.join(root, 'real', 'dir'), { recursive: true });
  symlinkSync('/../../../etc', path.join(root, 'escape'));
  symlinkSync('real/dir', path.join(root, 'relative'));
  symlinkSync('/loop', path.join(root, 'loop'));
  assert.is(resolveInRoot(root, '/escape/hosts'), path.join(root, 'etc', 'hosts'));
  assert.is(resolveInRoot(root, '/relative/../x'), path.join(root, 'real', 'x'));
  assert.is(resolveInRoot(root, '/../../new/path'), path.join(root, 'new', 'path'));
  assert.throws(() => resolveInRoot(root, '/loop/x'), /too many symlinks/);
});

test('commands are looked up in the container PATH like exec.LookPath', () => {
  const executables = new Set(['/usr/bin/ls', '/bin/sh']);
  const isExecutable = (file: string) => executables.has(file);
  assert.is(findCommand('ls', '/usr/local/bin:/usr/bin:/bin', isExecutable), '/usr/bin/ls');
  assert.is(findCommand('./script', '/bin', isExecutable), './script');
  try {
    findCommand('nope', '/usr/bin:/bin', isExecutable);
    assert.unreachable('found a missing command');
  } catch (error) {
    assert.instance(error, InitError);
    assert.is((error as InitError).exitCode, 127);
    assert.match((error as InitError).message, /executable file not found in \$PATH/);
  }
});

test.run();
