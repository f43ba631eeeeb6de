// Loads the compiled default filter into a real process (a child: the test runner stays
// unfiltered) inside `unshare --user --map-root-user --mount`, where mount and keyctl would
// otherwise work, and checks what the kernel answers.
import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const lib = new URL('../../../lib/', import.meta.url).href;

const child = `
import { compileSeccomp } from '${lib}runtime/seccomp/compile.js';
import { DEFAULT_PROFILE } from '${lib}runtime/seccomp/default-profile.js';
import { resolveProfile } from '${lib}runtime/seccomp/profile.js';
import { DEFAULT_CAPABILITIES } from '${lib}runtime/capabilities.js';
import { loadSeccompFilter, setNoNewPrivileges } from '${lib}sys/seccomp.js';
import { koffi, libc } from '${lib}sys/libc.js';

const mount = libc.func('int mount(const char *source, const char *target, const char *type, unsigned long flags, const void *data)');
const unshare = libc.func('int unshare(int flags)');
const syscall = libc.func('long syscall(long number, ...)');
const getpid = libc.func('int getpid(void)');
const personality = libc.func('int personality(unsigned long persona)');
const nr = { x64: { keyctl: 250, clone3: 435 }, arm64: { keyctl: 219, clone3: 435 } }[process.arch];
const errno = (result) => (Number(result) === -1 ? koffi.errno() : 0);

if (process.argv.includes('--filter')) {
  const seccomp = resolveProfile(DEFAULT_PROFILE, { capabilities: DEFAULT_CAPABILITIES });
  setNoNewPrivileges();
  loadSeccompFilter(compileSeccomp(seccomp));
}
console.log(JSON.stringify({
  getpid: getpid() === process.pid,
  mount: errno(mount('none', '/tmp', 'tmpfs', 0, null)),
  unshareUser: errno(unshare(0x10000000)),
  keyctl: errno(syscall(nr.keyctl, 'int', 0 /* KEYCTL_GET_KEYRING_ID */, 'int', -3 /* session */, 'int', 1)),
  clone3: errno(syscall(nr.clone3, 'void *', null, 'unsigned long', 0)),
  personality: errno(personality(0xffffffff)),
  personalityChange: errno(personality(0x0040000 /* ADDR_NO_RANDOMIZE */)),
}));
`;

function runChild(filter: boolean): Record<string, number | boolean> {
  const args = ['--user', '--map-root-user', '--mount', process.execPath, '--input-type=module', '-e', child];
  if (filter) args.push('--', '--filter');
  const result = spawnSync('unshare', args, { encoding: 'utf8', timeout: 20000 });
  assert.is(result.status, 0, `child failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

const EPERM = 1;
const ENOSYS = 38;

test('without the filter, the same calls reach the kernel', () => {
  const open = runChild(false);
  assert.is(open.getpid, true);
  assert.is(open.mount, 0);
  assert.is(open.unshareUser, 22); // EINVAL: Node has threads
  assert.is.not(open.keyctl, EPERM);
  assert.is.not(open.clone3, ENOSYS);
  assert.is(open.personalityChange, 0);
});

test('the default filter denies them with EPERM, clone3 with ENOSYS, and lets getpid through', () => {
  const filtered = runChild(true);
  assert.is(filtered.getpid, true);
  assert.is(filtered.mount, EPERM);
  assert.is(filtered.unshareUser, EPERM);
  assert.is(filtered.keyctl, EPERM);
  assert.is(filtered.clone3, ENOSYS);
  assert.is(filtered.personality, 0);
  assert.is(filtered.personalityChange, EPERM);
});

test.run();
