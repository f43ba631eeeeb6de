import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RootlessError } from '../../../lib/errors.js';
import { parseRunArgs, wantsHelp } from '../../../lib/spec/run-options.js';

test('flags stop at the image; the rest is the command, dashes included', () => {
  const options = parseRunArgs(['--rm', 'alpine', 'ls', '-l', '--rm']);
  assert.is(options.image, 'alpine');
  assert.equal(options.command, ['ls', '-l', '--rm']);
  assert.is(options.rm, true);
});

test('short clusters, attached values, --flag=value and repeated flags', () => {
  const options = parseRunArgs(['-i', '-eA=1', '-e', 'B=2', '--env=C=3', '-v', '/a:/b', '--volume=/c:/d:ro', '-w/tmp', '-u', '1000:1000', 'img']);
  assert.is(options.interactive, true);
  assert.equal(options.env, ['A=1', 'B=2', 'C=3']);
  assert.equal(options.volume, ['/a:/b', '/c:/d:ro']);
  assert.is(options.workdir, '/tmp');
  assert.is(options.user, '1000:1000');
});

test('-t and -it: a terminal, with or without stdin', () => {
  assert.equal([parseRunArgs(['-it', 'img']).tty, parseRunArgs(['-it', 'img']).interactive], [true, true]);
  assert.equal([parseRunArgs(['--tty', 'img']).tty, parseRunArgs(['--tty', 'img']).interactive], [true, false]);
  assert.is(parseRunArgs(['img']).tty, false);
});

test('defaults: pull missing, the default (private) network, nothing published or removed', () => {
  const options = parseRunArgs(['img']);
  assert.equal([options.pull, options.network, options.rm, options.interactive], ['missing', undefined, false, false]);
  assert.equal([options.publish, options.publishAll], [[], false]);
  assert.equal(options.command, []);
});

test('-p is repeatable, -P publishes all, --network takes any value (lib/net checks it)', () => {
  const options = parseRunArgs(['-p', '8080:80', '--publish=127.0.0.1::53/udp', '-P', '--network=slirp4netns:allow_host_loopback=true', 'img']);
  assert.equal(options.publish, ['8080:80', '127.0.0.1::53/udp']);
  assert.is(options.publishAll, true);
  assert.is(options.network, 'slirp4netns:allow_host_loopback=true');
});

test('--entrypoint "" is kept as an empty string; --net is --network; -- ends the flags', () => {
  const options = parseRunArgs(['--entrypoint', '', '--net', 'none', '--', '-weird-image-name']);
  assert.is(options.entrypoint, '');
  assert.is(options.network, 'none');
  assert.is(options.image, '-weird-image-name');
});

test('bad input: unknown flags, missing values, bad choices, no image', () => {
  const fails = (args: string[], pattern: RegExp) => {
    try {
      parseRunArgs(args);
    } catch (error) {
      assert.instance(error, RootlessError);
      assert.match((error as RootlessError).message, pattern);
      assert.is((error as RootlessError).exitCode, 125);
      return;
    }
    assert.unreachable(`${args.join(' ')} was accepted`);
  };
  fails(['--bogus', 'img'], /unknown flag: --bogus/);
  fails(['-x', 'img'], /unknown flag: -x/);
  fails(['-e'], /--env needs a value/);
  fails(['--pull=sometimes', 'img'], /invalid value "sometimes" for --pull/);
  fails(['--rm=maybe', 'img'], /use true or false/);
  fails(['--rm'], /needs an image/);
});

test('help is asked for only before the image', () => {
  assert.ok(wantsHelp(['--rm', '--help']));
  assert.ok(wantsHelp(['-h']));
  assert.not.ok(wantsHelp(['alpine', '--help']));
});

test.run();
