// The fast path's parser takes only what it fully understands; the rest goes to yargs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseSimpleArgs, type SimpleFlag } from '../../../lib/cli/simple-args.js';

const flags: SimpleFlag[] = [
  { name: 'quiet', alias: 'q', type: 'boolean', describe: '' },
  { name: 'platform', type: 'string', describe: '' },
  { name: 'tls-verify', type: 'boolean', describe: '' },
];

test('flags in every spelling, before and after the positional', () => {
  assert.equal(parseSimpleArgs(['-q', 'alpine', '--platform', 'linux/arm64', '--tls-verify=false'], flags, 1), {
    flags: { quiet: true, platform: 'linux/arm64', 'tls-verify': false },
    positionals: ['alpine'],
  });
  assert.equal(parseSimpleArgs(['--platform=linux/amd64', '--', '-odd-name'], flags, 1), { flags: { platform: 'linux/amd64' }, positionals: ['-odd-name'] });
});

test('anything in doubt is left to yargs', () => {
  for (const args of [['--help', 'alpine'], ['-h'], ['--version'], ['-qv', 'alpine'], ['--tls-verify=maybe', 'alpine'], ['--platform'], ['--no-quiet', 'alpine'], [], ['a', 'b']]) {
    assert.is(parseSimpleArgs(args, flags, 1), undefined, args.join(' '));
  }
});

test.run();
