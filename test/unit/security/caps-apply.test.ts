// Applies capability sets in a real user namespace made by the project's stage 1 (which leaves
// every capability ambient), in a child so the test runner keeps its own, then looks at what a
// program exec'd afterwards holds, as the container's process would.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defaultUserNamespace } from '../../../lib/runtime/idmap.js';
import { launchInNamespaces } from '../../../lib/runtime/launcher.js';

const lib = new URL('../../../lib/', import.meta.url).href;

const childScript = `
import { spawnSync } from 'node:child_process';
import { capabilityNumbers, processCapabilities } from '${lib}runtime/capabilities.js';
import { applyCapabilities } from '${lib}sys/caps.js';
import { check, libc } from '${lib}sys/libc.js';

const request = JSON.parse(process.argv[process.argv.length - 1]);
const setresuid = libc.func('int setresuid(unsigned int r, unsigned int e, unsigned int s)');
const setresgid = libc.func('int setresgid(unsigned int r, unsigned int e, unsigned int s)');
applyCapabilities(capabilityNumbers(processCapabilities(request)), () => {
  check('setresgid', setresgid(request.uid, request.uid, request.uid));
  check('setresuid', setresuid(request.uid, request.uid, request.uid));
});
// spawnSync forks from this (the main) thread, so the child starts with its credentials.
process.stdout.write(spawnSync('/bin/cat', ['/proc/self/status'], { encoding: 'utf8' }).stdout);
`;

async function statusAfter(request: object): Promise<Record<string, string>> {
  const { child, exited } = await launchInNamespaces({
    namespaces: ['user'],
    plan: defaultUserNamespace(),
    argv: [process.execPath, '--input-type=module', '-e', childScript, '--', JSON.stringify(request)],
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  assert.is(await exited, 0, `child failed: ${stderr}`);
  return Object.fromEntries(stdout.split('\n').map((line) => line.split(/:\s+/)).filter((pair) => pair.length === 2));
}

test('root keeps Docker\'s set plus --cap-add, with nothing ambient left from stage 1', async () => {
  const status = await statusAfter({ uid: 0, capAdd: ['NET_ADMIN'], capDrop: ['MKNOD'] });
  const expected = (0xa80425fbn | (1n << 12n)) & ~(1n << 27n);
  assert.is(BigInt(`0x${status.CapBnd}`), expected);
  assert.is(BigInt(`0x${status.CapEff}`), expected);
  assert.is(BigInt(`0x${status.CapPrm}`), expected);
  assert.is(status.CapInh, '0000000000000000');
  assert.is(status.CapAmb, '0000000000000000');
});

test('a non-root user holds only --cap-add capabilities across execve, through the ambient set', async () => {
  const status = await statusAfter({ uid: 1000, capAdd: ['NET_BIND_SERVICE'] });
  assert.match(status.Uid, /^1000\s+1000\s+1000/);
  assert.is(status.CapEff, '0000000000000400');
  assert.is(status.CapAmb, '0000000000000400');
  assert.is(BigInt(`0x${status.CapBnd}`), 0xa80425fbn);
  const plain = await statusAfter({ uid: 1000 });
  assert.is(plain.CapEff, '0000000000000000');
  assert.is(plain.CapPrm, '0000000000000000');
});

test.run();
