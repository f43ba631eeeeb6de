// rootless doctor checks made to fail for real, as root: a throwaway user without subordinate
// ids, an unusable /dev/net/tun and a newuidmap without its setuid bit. Each is then fixed with
// the very command the doctor printed, and the check must pass. Shared host state is never
// changed: /dev/net/tun and newuidmap are replaced only inside a private mount namespace.
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { doctorLine, firstRunDiagnosisOf, runRootless } from '../e2e/doctor-cli.js';
import { createUserWithoutSubIds, removeUser } from './users.js';

const testUser = 'rltest';
let scratch: string;

function userEnv(user: string, home: string): NodeJS.ProcessEnv {
  return { HOME: home, USER: user, PATH: '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin', ROOTLESS_STORE: path.join(home, 'store') };
}

/** A directory owned by `user`, to be its HOME and store. */
async function homeFor(user: string): Promise<string> {
  const home = mkdtempSync(path.join(scratch, `${user}-`));
  const { stdout } = await execa('id', ['-u', user]);
  const { stdout: gid } = await execa('id', ['-g', user]);
  chownSync(home, Number(stdout), Number(gid));
  return home;
}

/** Runs `sh -c SCRIPT` as root in a private mount namespace, then the command. */
function privateMounts(script: string): string[] {
  return ['unshare', '--mount', '--propagation', 'private', '--', 'sh', '-c', `${script} && exec "$@"`, 'sh'];
}

test.before(() => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'rootless-doctor-root-'));
  chmodSync(scratch, 0o755); // the users under test reach their homes below it
});
test.after(() => {
  rmSync(scratch, { recursive: true, force: true });
});

test('a user without subordinate ids: FAIL with usermod; running that command fixes it', async () => {
  const user = `rldoc${process.pid % 100000}`;
  await createUserWithoutSubIds(user);
  try {
    const home = await homeFor(user);
    const before = await runRootless(['doctor'], { user, env: userEnv(user, home) });
    assert.is(before.exitCode, 1, before.stdout + before.stderr);
    const line = doctorLine(before.stdout, 'subordinate ids');
    const match = new RegExp(`^FAIL subordinate ids: ${user} has no range in /etc/subuid and /etc/subgid: .*  → fix: (sudo usermod --add-subuids (\\d+)-(\\d+) --add-subgids \\2-\\3 ${user})$`).exec(line);
    assert.ok(match, line);
    assert.match(await firstRunDiagnosisOf({ user, env: userEnv(user, home) }), `subordinate ids: ${user} has no range in /etc/subuid and /etc/subgid`);

    await execa(match![1]!.replace(/^sudo /, ''), { shell: true });
    const after = await runRootless(['doctor'], { user, env: userEnv(user, home) });
    assert.is(doctorLine(after.stdout, 'subordinate ids'), 'OK   subordinate ids: 65536 uids, 65536 gids');
  } finally {
    assert.ok(await removeUser(user), `userdel left ${user} in /etc/subuid or /etc/subgid`);
  }
});

test('/dev/net/tun mode 0600: FAIL with chmod 666 and the udev rule; the chmod fixes it', async () => {
  const home = await homeFor(testUser);
  const tun = 'mount -t tmpfs -o mode=755 rootless-doctor-test /dev/net && mknod -m 600 /dev/net/tun c 10 200';
  const before = await runRootless(['doctor'], { user: testUser, env: userEnv(testUser, home), wrap: privateMounts(tun) });
  assert.is(before.exitCode, 1, before.stdout + before.stderr);
  const line = doctorLine(before.stdout, '/dev/net/tun');
  assert.match(line, /^FAIL \/dev\/net\/tun: \/dev\/net\/tun cannot be opened read-write \(EACCES\): pasta and slirp4netns need it {2}→ fix: sudo chmod 666 \/dev\/net\/tun, /);
  assert.match(line, `echo 'KERNEL=="tun", MODE="0666"' | sudo tee /etc/udev/rules.d/60-rootless-tun.rules`);

  const fix = /→ fix: sudo (chmod 666 \/dev\/net\/tun),/.exec(line)![1]!;
  const after = await runRootless(['doctor'], { user: testUser, env: userEnv(testUser, home), wrap: privateMounts(`${tun} && ${fix}`) });
  assert.is(doctorLine(after.stdout, '/dev/net/tun'), 'OK   /dev/net/tun: opens read-write');
});

test('newuidmap without its setuid bit: FAIL with chmod u+s, first-run diagnosis names it; chmod fixes it', async () => {
  const home = await homeFor(testUser);
  const copy = path.join(scratch, 'newuidmap');
  // cp drops the setuid bit; the copy is bind-mounted over the real helper in this namespace only.
  const broken = `cp /usr/bin/newuidmap ${copy} && chmod 755 ${copy} && mount --bind ${copy} /usr/bin/newuidmap`;
  const options = { user: testUser, env: userEnv(testUser, home), wrap: privateMounts(broken) };
  const before = await runRootless(['doctor'], options);
  assert.is(before.exitCode, 1, before.stdout + before.stderr);
  const line = doctorLine(before.stdout, 'newuidmap/newgidmap');
  assert.is(line, 'FAIL newuidmap/newgidmap: /usr/bin/newuidmap is neither setuid root nor has cap_setuid  → fix: sudo chmod u+s /usr/bin/newuidmap');
  assert.is(
    await firstRunDiagnosisOf(options),
    'newuidmap/newgidmap: /usr/bin/newuidmap is neither setuid root nor has cap_setuid. Fix: sudo chmod u+s /usr/bin/newuidmap',
  );
  // Stage 1 for real: the kernel refuses the map the helper tries to write.
  assert.match(doctorLine(before.stdout, 'id maps'), /^FAIL id maps: writing uids 0→\d+, 1→.* failed: newuidmap failed: newuidmap: write to uid_map failed: Operation not permitted {2}→ fix: /);
  const after = await runRootless(['doctor'], { ...options, wrap: privateMounts(`${broken} && chmod u+s /usr/bin/newuidmap`) });
  assert.match(doctorLine(after.stdout, 'newuidmap/newgidmap'), /^OK {3}newuidmap\/newgidmap: \/usr\/bin\/newuidmap \(setuid root\)/);
  assert.match(doctorLine(after.stdout, 'id maps'), /^OK {3}id maps: a user namespace got uids 0→\d+, 1→/);
});

test('root: a store its containers cannot reach fails with chmod o+x; after it, ID-mapped layers', async () => {
  const home = mkdtempSync(path.join(scratch, 'root-')); // mode 0700
  const doctor = await runRootless(['doctor'], { env: userEnv('root', home) });
  const line = doctorLine(doctor.stdout, 'overlayfs in a user namespace');
  assert.match(line, /^FAIL overlayfs in a user namespace: overlay with userxattr on \S+ failed: .*\(EACCES\)/);
  assert.ok(line.endsWith(`root's containers run as other uids, which cannot enter ${home}  → fix: chmod o+x ${home}`), line);
  await execa('chmod', ['o+x', home]);
  const result = await runRootless(['info', '--format', 'json'], { env: userEnv('root', home) });
  assert.is(result.exitCode, 0, result.stderr);
  const info = JSON.parse(result.stdout);
  assert.is(info.user.root, true);
  assert.is(info.overlay.works, true, info.overlay.error);
  const store = info.idmap.find((probe: { target: string }) => probe.target === 'store');
  // kernel-facts.md: real root can ID-map a host ext4 directory.
  if (info.store.filesystem === 'ext4') {
    assert.is(store.works, true, store.error);
    // the probe works, and info says that root's containers mount the layers ID-mapped
    assert.is(info.layerStrategy.mode, 'idmapped');
    assert.match(info.layerStrategy.reason, /ID-mapped to its own range .*; ext4 allows it$/);
  }
});

test.run();
