// rootless doctor / info as an unprivileged user, against the real host: each broken setting is
// produced for real (a PATH without the map helpers, a missing or foreign XDG_RUNTIME_DIR).
import { chmodSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { doctorLine, firstRunDiagnosisOf, runRootless } from './doctor-cli.js';

const me = os.userInfo();
const baseEnv = { HOME: me.homedir, PATH: process.env.PATH ?? '/usr/bin:/bin', USER: me.username };
let scratch: string;

test.before(() => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'rootless-doctor-e2e-'));
  chmodSync(scratch, 0o755); // run as root, the containers' uids must reach the stores below
});
test.after(() => {
  rmSync(scratch, { recursive: true, force: true });
});

test('info --format json: every key, and the probes ran for real', async () => {
  const store = path.join(scratch, 'store-info');
  const result = await runRootless(['info', '--format', 'json'], { env: { ...baseEnv, ROOTLESS_STORE: store } });
  assert.is(result.exitCode, 0, result.stderr);
  const info = JSON.parse(result.stdout);
  for (const key of ['host', 'user', 'userNamespaces', 'idMapping', 'store', 'overlay', 'idmap', 'layerStrategy', 'network', 'cgroup', 'init', 'runtime', 'linger']) {
    assert.ok(key in info, `key ${key}`);
  }
  assert.is(info.user.uid, me.uid);
  assert.is(info.store.path, store);
  assert.is(info.userNamespaces.works, true);
  assert.is(info.overlay.works, true, info.overlay.error);
  const byTarget = Object.fromEntries(info.idmap.map((probe: { target: string }) => [probe.target, probe]));
  if (me.uid !== 0) {
    // kernel-facts.md: ID-mapping a host ext4 needs real root; a tmpfs of our own namespace works.
    assert.is(byTarget.tmpfs.works, true, byTarget.tmpfs.error);
    if (byTarget.store.filesystem !== 'tmpfs') assert.match(byTarget.store.error, 'EPERM');
    assert.is(info.layerStrategy.mode, 'unpacked-in-userns');
  }
  assert.match(info.network.tun.path, '/dev/net/tun');
  assert.ok(['v1', 'v2', 'hybrid'].includes(info.cgroup.version));
});

test('info text: podman-info-like indented keys', async () => {
  const result = await runRootless(['info'], { env: { ...baseEnv, ROOTLESS_STORE: path.join(scratch, 'store-text') } });
  assert.is(result.exitCode, 0, result.stderr);
  assert.match(result.stdout, /^host:\n {2}kernel: /);
  assert.match(result.stdout, /\nlayerStrategy:\n {2}mode: /);
});

test('doctor --format json: the checks as objects, the same ones as the text lines', async () => {
  const env = { ...baseEnv, ROOTLESS_STORE: path.join(scratch, 'store-json') };
  const [json, text] = await Promise.all([runRootless(['doctor', '--format', 'json'], { env }), runRootless(['doctor'], { env })]);
  const results = JSON.parse(json.stdout) as Array<{ id: string; title: string; status: string; detail: string; fix?: string }>;
  assert.ok(results.length >= 10);
  for (const result of results) {
    assert.ok(['ok', 'warn', 'fail'].includes(result.status), result.id);
    // A failure always names its fix (a refused id map carries the launcher's remedy, when it has one).
    if (result.status === 'fail' && result.id !== 'id-maps') assert.ok(result.fix, `${result.id} has a fix`);
  }
  assert.equal(results.map((result) => result.title), text.stdout.trim().split('\n').map((line) => line.slice(5).split(':')[0]));
  assert.is(json.exitCode, text.exitCode);
});

test('info --format yaml: one error line naming the fix, exit 125', async () => {
  const result = await runRootless(['info', '--format', 'yaml'], { env: baseEnv });
  assert.is(result.exitCode, 125);
  assert.is(result.stderr.trim(), 'Error: unknown format "yaml". Use --format json, or no --format for text');
});

// A user namespace of our own where user.max_user_namespaces is 0: the kernel refuses nested ones
// there, as it does host-wide where an administrator set the knob. Doctor runs as that namespace's root.
const noUserNamespaces = (limit: number) => ['unshare', '--user', '--map-root-user', '--', 'sh', '-c', `echo ${limit} > /proc/sys/user/max_user_namespaces && exec "$@"`, 'sh'];

test('user.max_user_namespaces=0: FAIL with the sysctl, and the first-run diagnosis says so', async () => {
  const options = { env: { ...baseEnv, ROOTLESS_STORE: path.join(scratch, 'store-userns') }, wrap: noUserNamespaces(0) };
  const result = await runRootless(['doctor'], options);
  assert.is(result.exitCode, 1, result.stdout + result.stderr);
  const fix = "echo 'user.max_user_namespaces=28633' | sudo tee -a /etc/sysctl.d/99-rootless.conf && sudo sysctl -p /etc/sysctl.d/99-rootless.conf";
  assert.is(doctorLine(result.stdout, 'user namespaces'), `FAIL user namespaces: user.max_user_namespaces is 0: user namespaces are disabled  → fix: ${fix}`);
  assert.is(await firstRunDiagnosisOf(options), `user namespaces: user.max_user_namespaces is 0: user namespaces are disabled. Fix: ${fix}`);
  // What the fix does, applied to this namespace:
  const fixed = await runRootless(['doctor'], { ...options, wrap: noUserNamespaces(28633) });
  assert.match(doctorLine(fixed.stdout, 'user namespaces'), /^OK {3}user namespaces: unshare --user --mount works \(max_user_namespaces=28633\)$/);
});

test('a PATH without newuidmap/newgidmap: FAIL with the install command, exit 1', async () => {
  const onlyNode = mkdtempSync(path.join(scratch, 'path-'));
  symlinkSync(process.execPath, path.join(onlyNode, 'node'));
  const result = await runRootless(['doctor'], { env: { ...baseEnv, PATH: onlyNode, ROOTLESS_STORE: path.join(scratch, 'store-path') } });
  if (me.uid === 0) return; // root writes its maps itself: nothing to fail
  assert.is(result.exitCode, 1, result.stdout + result.stderr);
  const line = doctorLine(result.stdout, 'newuidmap/newgidmap');
  assert.match(line, /^FAIL newuidmap\/newgidmap: newuidmap not found in PATH; newgidmap not found in PATH {2}→ fix: sudo apt install uidmap$/);
});

test('XDG_RUNTIME_DIR unset: WARN with the way to get one', async () => {
  const result = await runRootless(['doctor'], { env: { ...baseEnv, ROOTLESS_STORE: path.join(scratch, 'store-xdg') } });
  if (me.uid === 0) return;
  const line = doctorLine(result.stdout, 'XDG_RUNTIME_DIR');
  assert.match(line, /^WARN XDG_RUNTIME_DIR: not set \(usual after su or sudo -u\)/);
  assert.match(line, /→ fix: (export XDG_RUNTIME_DIR=\/run\/user\/\d+|log in as .*|sudo install -d -m 700 -o \d+ -g \d+ \/run\/user\/\d+ && export XDG_RUNTIME_DIR=\/run\/user\/\d+)$/);
});

test('XDG_RUNTIME_DIR of someone else (sudo -u keeps the caller\'s): FAIL, exit 1', async () => {
  const result = await runRootless(['doctor'], { env: { ...baseEnv, XDG_RUNTIME_DIR: '/', ROOTLESS_STORE: path.join(scratch, 'store-xdg2') } });
  if (me.uid === 0) return;
  assert.is(result.exitCode, 1);
  assert.match(doctorLine(result.stdout, 'XDG_RUNTIME_DIR'), /^FAIL XDG_RUNTIME_DIR: \/ belongs to uid 0, not .* {2}→ fix: /);
});

test('XDG_RUNTIME_DIR of our own, 0700: OK', async () => {
  const runtime = mkdtempSync(path.join(scratch, 'run-'));
  const result = await runRootless(['doctor'], { env: { ...baseEnv, XDG_RUNTIME_DIR: runtime, ROOTLESS_STORE: path.join(scratch, 'store-xdg3') } });
  assert.match(doctorLine(result.stdout, 'XDG_RUNTIME_DIR'), /^OK {3}XDG_RUNTIME_DIR: /);
});

test('a store the user cannot write: FAIL naming the directory', async () => {
  const result = await runRootless(['doctor'], { env: { ...baseEnv, ROOTLESS_STORE: '/proc/rootless-store' } });
  if (me.uid === 0) return;
  assert.is(result.exitCode, 1);
  assert.match(doctorLine(result.stdout, 'image store'), /^FAIL image store: \/proc is not writable by .* {2}→ fix: /);
});

test.run();
