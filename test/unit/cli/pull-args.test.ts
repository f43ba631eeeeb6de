// pull's fast path takes only what it fully understands; the rest goes to yargs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parsePullArgs } from '../../../lib/cli/commands/pull.js';

test('flags in every spelling, before and after the image', () => {
  assert.equal(parsePullArgs(['-q', 'alpine', '--platform', 'linux/arm64', '--tls-verify=false']), {
    quiet: true, platform: 'linux/arm64', 'tls-verify': false, image: 'alpine',
  });
  assert.equal(parsePullArgs(['--platform=linux/amd64', '--', '-odd-name']), { platform: 'linux/amd64', image: '-odd-name' });
});

test('anything in doubt is left to yargs', () => {
  for (const args of [['--help', 'alpine'], ['-h'], ['--version'], ['-qv', 'alpine'], ['--tls-verify=maybe', 'alpine'], ['--platform'], ['--no-quiet', 'alpine'], [], ['a', 'b']]) {
    assert.is(parsePullArgs(args), undefined, args.join(' '));
  }
});

test.run();
