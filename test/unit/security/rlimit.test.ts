// setRlimit (lib/sys/process.ts) in a child process: the limits it sets are what the kernel
// reports, and the JSON form of RLIM_INFINITY (2^64-1, which JSON rounds up) means unlimited.
import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RLIM_INFINITY } from '../../../lib/spec/security.js';

const processModule = new URL('../../../lib/sys/process.js', import.meta.url).href;

function limitsAfter(calls: Array<[string, number, number]>): string {
  const script = `
    const { setRlimit } = await import(${JSON.stringify(processModule)});
    for (const [type, soft, hard] of ${JSON.stringify(calls)}) setRlimit(type, soft, hard);
    process.stdout.write((await import('node:fs')).readFileSync('/proc/self/limits', 'utf8'));`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.is(child.status, 0, child.stderr);
  return child.stdout;
}

test('sets soft and hard limits; RLIM_INFINITY through JSON is unlimited', () => {
  const limits = limitsAfter([['RLIMIT_NOFILE', 100, 200], ['RLIMIT_CORE', JSON.parse(JSON.stringify(RLIM_INFINITY)), JSON.parse(JSON.stringify(RLIM_INFINITY))]]);
  assert.match(limits, /^Max open files\s+100\s+200\s+files/m);
  assert.match(limits, /^Max core file size\s+unlimited\s+unlimited\s+bytes/m);
});

test('a soft limit above the hard one is refused with EINVAL', () => {
  const script = `
    const { setRlimit } = await import(${JSON.stringify(processModule)});
    try { setRlimit('RLIMIT_NOFILE', 300, 200); } catch (error) { process.stdout.write(error.code); }`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.is(child.stdout, 'EINVAL');
});

test.run();
