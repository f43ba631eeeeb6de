import { Writable } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createProgress } from '../../../lib/image/progress.js';

function sink(isTTY: boolean): { stream: Writable & { isTTY: boolean }; text: () => string } {
  let text = '';
  const stream = Object.assign(
    new Writable({
      write(chunk, _encoding, callback) {
        text += String(chunk);
        callback();
      },
    }),
    { isTTY },
  );
  return { stream, text: () => text };
}

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;

test('not a terminal: one plain line per layer when it is done', () => {
  const out = sink(false);
  const progress = createProgress(out.stream);
  const a = progress.layer(A, 2_000_000);
  const b = progress.layer(B, 10);
  a.advance(1_000_000);
  b.skip();
  a.advance(1_000_000);
  a.done();
  progress.finish();
  assert.is(out.text(), 'bbbbbbbbbbbb: Already exists\naaaaaaaaaaaa: Pull complete (2.00MB)\n');
});

test('not a terminal: a layer reported done twice (or skipped after done) prints one line', () => {
  const out = sink(false);
  const progress = createProgress(out.stream);
  const a = progress.layer(A, 2_000_000);
  a.advance(2_000_000);
  a.done();
  a.done();
  a.skip();
  progress.finish();
  assert.is(out.text(), 'aaaaaaaaaaaa: Pull complete (2.00MB)\n');
});

test('terminal: the block of layer lines is redrawn in place', () => {
  const out = sink(true);
  const progress = createProgress(out.stream);
  const a = progress.layer(A, 100);
  progress.layer(B, 10).skip();
  a.advance(50);
  progress.finish();
  assert.match(out.text(), /aaaaaaaaaaaa: Downloading  50B\/100B/);
  assert.match(out.text(), /bbbbbbbbbbbb: Already exists/);
  a.done();
  progress.finish();
  assert.match(out.text(), /\x1b\[2A\x1b\[2Kaaaaaaaaaaaa: Pull complete\n/);
});

test('quiet: nothing at all', () => {
  const out = sink(true);
  const progress = createProgress(out.stream, true);
  progress.layer(A, 1).done();
  progress.finish();
  assert.is(out.text(), '');
});

test.run();
