import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RootlessError } from '../../../lib/errors.js';
import { requireTunDevice } from '../../../lib/net/preflight.js';

function failure(fn: () => void): string {
  try {
    fn();
  } catch (error) {
    assert.instance(error, RootlessError);
    return (error as RootlessError).line;
  }
  throw new Error('expected a RootlessError');
}

test('a missing TUN device names modprobe and the modes that still work', () => {
  const line = failure(() => requireTunDevice('/dev/net/no-such-tun'));
  assert.match(line, /\/dev\/net\/no-such-tun does not exist.*sudo modprobe tun; or use --network none or --network host/);
});

test('a TUN device the user cannot open names chmod 666 and the udev rule', () => {
  if (process.getuid?.() === 0) return; // root opens anything
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rootless-tun-'));
  try {
    const device = path.join(dir, 'tun');
    writeFileSync(device, '');
    chmodSync(device, 0o000);
    const line = failure(() => requireTunDevice(device));
    assert.match(line, /is not readable and writable by this user.*sudo chmod 666 .*KERNEL=="tun", MODE="0666"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
