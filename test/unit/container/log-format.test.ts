import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bootTimeCentis, completeLinesEnd, formatLogLines, stampCentis, stampTime, tailStart } from '../../../lib/container/log-format.js';

const log = (text: string) => Buffer.from(text);
const tail = (text: string, count: number | undefined) => text.slice(tailStart(log(text), count));

test('--tail keeps the last N lines, a final line without newline counting', () => {
  assert.is(tail('a\nb\nc\n', 2), 'b\nc\n');
  assert.is(tail('a\nb\nc', 2), 'b\nc');
  assert.is(tail('a\nb\n', 5), 'a\nb\n');
  assert.is(tail('a\n\nb\n', 2), '\nb\n');
  assert.is(tail('a\nb\n', 0), '');
  assert.is(tail('a\nb\n', undefined), 'a\nb\n');
  assert.is(tail('', 3), '');
  assert.is(tail('1.00 a\n2.00p b\n', 1), '2.00p b\n', 'output without newline is a line of the log');
});

test('a stamp is seconds since boot with centiseconds', () => {
  assert.is(stampCentis('12345.67'), 1234567);
  assert.is(stampCentis('0.05'), 5);
  assert.is(stampCentis(''), undefined);
  assert.is(stampCentis('12.3'), undefined);
  assert.is(stampCentis('x.12'), undefined);
});

test('the boot time from the clock and /proc/uptime, to the centisecond', () => {
  const now = Date.parse('2026-11-30T05:12:33.120Z');
  assert.is(bootTimeCentis(now, '100.02 180.50\n'), now / 10 - 10002);
});

test('a stamp as docker prints it: RFC 3339, UTC, nanoseconds', () => {
  const boot = Date.parse('2026-11-30T05:00:00.000Z') / 10;
  assert.is(stampTime('753.12', boot), '2026-11-30T05:12:33.120000000Z');
  assert.is(stampTime('0.00', boot), '2026-11-30T05:00:00.000000000Z');
  assert.is(stampTime('', boot), '0001-01-01T00:00:00.000000000Z');
});

test('lines lose their stamps exactly, or get times', () => {
  const boot = Date.parse('2026-11-30T05:00:00.000Z') / 10;
  const stamped = log('1.00 first\n1.50 \n2.00    spaces \\n back\\slash\n 3.25 unknown time\n4.00p partial\n5.00 next start\n');
  assert.is(formatLogLines(stamped).toString(), 'first\n\n   spaces \\n back\\slash\n3.25 unknown time\npartialnext start\n');
  assert.is(
    formatLogLines(stamped, boot).toString(),
    [
      '2026-11-30T05:00:01.000000000Z first\n',
      '2026-11-30T05:00:01.500000000Z \n',
      '2026-11-30T05:00:02.000000000Z    spaces \\n back\\slash\n',
      '0001-01-01T00:00:00.000000000Z 3.25 unknown time\n',
      '2026-11-30T05:00:04.000000000Z partial',
      '2026-11-30T05:00:05.000000000Z next start\n',
    ].join(''),
  );
  assert.equal([...formatLogLines(Buffer.from([0x31, 0x2e, 0x30, 0x30, 0x20, 0xff, 0x0a]))], [0xff, 0x0a], 'bytes pass as they are');
});

test('-f shows complete lines only while the container runs', () => {
  assert.is(completeLinesEnd(log('1.00 a\n1.10 b')), 7);
  assert.is(completeLinesEnd(log('1.00 a')), 0);
});

test.run();
