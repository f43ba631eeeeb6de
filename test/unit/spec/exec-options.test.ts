import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseExecArgs } from '../../../lib/spec/exec-options.js';

test('flags stop at the container; the rest is the command, dashes included', () => {
  const options = parseExecArgs(['-it', '-e', 'A=1', '--env=B=2', '-u', 'nobody', '-w/tmp', '--privileged', 'box', 'ls', '-u', '-w']);
  assert.is(options.container, 'box');
  assert.equal(options.command, ['ls', '-u', '-w']);
  assert.equal([options.interactive, options.tty, options.privileged], [true, true, true]);
  assert.equal(options.env, ['A=1', 'B=2']);
  assert.equal([options.user, options.workdir], ['nobody', '/tmp']);
});

test('defaults: no stdin, no terminal, the container user and directory', () => {
  const options = parseExecArgs(['box', 'true']);
  assert.equal([options.interactive, options.tty, options.privileged, options.user, options.workdir], [false, false, false, undefined, undefined]);
  assert.equal([options.env, options.envFile], [[], []]);
});

test('usage errors name the problem and the help', () => {
  assert.throws(() => parseExecArgs([]), /needs a container name or id/);
  assert.throws(() => parseExecArgs(['box']), /needs a command/);
  assert.throws(() => parseExecArgs(['-w', 'relative', 'box', 'true']), /not an absolute path/);
  assert.throws(() => parseExecArgs(['--detach-keys=x', 'box', 'true']), /unknown flag: --detach-keys/);
});

test.run();
