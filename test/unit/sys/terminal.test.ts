// Terminal ioctls through koffi, on a pseudo-terminal of the host's devpts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { closeSync, openSync, readSync, readlinkSync, writeSync } from 'node:fs';
import { disableOutputProcessing, getWindowSize, openPseudoTerminal, setWindowSize } from '../../../lib/sys/terminal.js';

function readAll(fd: number): string {
  const buffer = Buffer.alloc(256);
  return buffer.toString('utf8', 0, readSync(fd, buffer, 0, buffer.length, null));
}

test('a new pseudo-terminal: an unlocked master and its slave under /dev/pts', () => {
  const { master, slave } = openPseudoTerminal('/dev/ptmx');
  assert.match(readlinkSync(`/proc/self/fd/${slave}`), /^\/dev\/pts\/[0-9]+$/);
  writeSync(slave, 'x\n');
  assert.is(readAll(master), 'x\r\n', 'the line discipline turns \\n into \\r\\n');
  closeSync(slave);
  closeSync(master);
});

test('the window size set on the master is the slave’s', () => {
  const { master, slave } = openPseudoTerminal('/dev/ptmx');
  setWindowSize(master, { rows: 33, columns: 101 });
  assert.equal(getWindowSize(slave), { rows: 33, columns: 101 });
  closeSync(slave);
  closeSync(master);
});

test('no window size for what is not a terminal', () => {
  const fd = openSync('/dev/null', 'r');
  assert.is(getWindowSize(fd), undefined);
  closeSync(fd);
});

test('without output processing, \\n stays \\n', () => {
  const { master, slave } = openPseudoTerminal('/dev/ptmx');
  disableOutputProcessing(slave);
  writeSync(slave, 'x\n');
  assert.is(readAll(master), 'x\n');
  closeSync(slave);
  closeSync(master);
});

test.run();
