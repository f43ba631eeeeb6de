import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findContainer } from '../../../lib/container/lookup.js';
import { RootlessError } from '../../../lib/errors.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'lookup-'));
const saved = process.env.ROOTLESS_RUNTIME_DIR;
const ids = ['abc1' + '0'.repeat(60), 'abc2' + '0'.repeat(60), 'def0' + '0'.repeat(60)];

test.before(() => {
  process.env.ROOTLESS_RUNTIME_DIR = dir;
  ids.forEach((id, index) => {
    mkdirSync(path.join(dir, 'containers', id), { recursive: true });
    writeFileSync(path.join(dir, 'containers', id, 'state.json'), JSON.stringify({ id, name: `c${index}`, image: 'img', created: '' }));
  });
});

test.after(() => {
  if (saved === undefined) delete process.env.ROOTLESS_RUNTIME_DIR;
  else process.env.ROOTLESS_RUNTIME_DIR = saved;
  rmSync(dir, { recursive: true, force: true });
});

test('by name, full id or unique id prefix', () => {
  assert.is(findContainer('c1').id, ids[1]);
  assert.is(findContainer(ids[2]!).name, 'c2');
  assert.is(findContainer('def').name, 'c2');
});

test('an ambiguous prefix or an unknown name: exit 125 with a remedy', () => {
  for (const [text, pattern] of [['abc', /ambiguous/], ['nope', /no such container: nope/]] as const) {
    try {
      findContainer(text);
      assert.unreachable();
    } catch (error) {
      assert.instance(error, RootlessError);
      assert.is((error as RootlessError).exitCode, 125);
      assert.match((error as RootlessError).message, pattern);
    }
  }
});

test.run();
