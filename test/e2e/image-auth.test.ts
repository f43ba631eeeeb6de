// login/logout against the htpasswd registry, and pulls that depend on the stored credentials.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createSandbox, e2e, errorLines, hasStackTrace, parseImages, said, type Sandbox } from './harness.js';

const test = suite('registry login');
const registry = e2e.registries.auth;
const image = e2e.images.authAlpine;
let box: Sandbox;

test.before(() => {
  box = createSandbox('auth');
});
test.after(async () => {
  await box.cleanup();
});

test('pull from a registry that needs a login fails with 125 and says to log in', async () => {
  const pull = await box.rootless(['pull', image.reference]);
  assert.is(pull.exitCode, 125, said(pull));
  assert.match(pull.stderr, /login/i, said(pull));
});

test('login with a wrong password exits 125 with one line', async () => {
  const login = await box.rootless(['login', '-u', registry.username!, '-p', 'wrong-password', registry.address]);
  assert.is(login.exitCode, 125, said(login));
  assert.is(errorLines(login).length, 1, `one error line: ${said(login)}`);
  assert.not.ok(hasStackTrace(login), 'no stack trace');
  const pull = await box.rootless(['pull', image.reference]);
  assert.is(pull.exitCode, 125, `a failed login stores no credentials: ${said(pull)}`);
});

test('login with the right password (stdin) succeeds, then the pull works', async () => {
  const login = await box.rootless(['login', '-u', registry.username!, '--password-stdin', registry.address], { input: `${registry.password}\n` });
  assert.is(login.exitCode, 0, said(login));
  const pull = await box.rootless(['pull', image.reference]);
  assert.is(pull.exitCode, 0, said(pull));
  const rows = parseImages((await box.rootless(['images'])).stdout);
  assert.ok(rows.some((row) => row.repository === image.repository && row.tag === image.tag), 'images lists the pulled image');
});

test('login with -p works too', async () => {
  const login = await box.rootless(['login', '-u', registry.username!, '-p', registry.password!, registry.address]);
  assert.is(login.exitCode, 0, said(login));
});

test('after logout the registry refuses the pull again', async () => {
  const logout = await box.rootless(['logout', registry.address]);
  assert.is(logout.exitCode, 0, said(logout));
  const rmi = await box.rootless(['rmi', image.reference]);
  assert.is(rmi.exitCode, 0, said(rmi));
  const pull = await box.rootless(['pull', image.reference]);
  assert.is(pull.exitCode, 125, said(pull));
  assert.match(pull.stderr, /login/i, said(pull));
});

test.run();
