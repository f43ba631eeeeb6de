import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { evaluateChecks, formatCheck, mostRelevant } from '../../../lib/doctor/checks.js';
import { formatInfo } from '../../../lib/doctor/info.js';
import type { CheckResult, HostInfo } from '../../../lib/doctor/types.js';
import { ROOT_DEFAULT_RANGE } from '../../../lib/runtime/idmap.js';

/** A healthy unprivileged host; each test breaks one thing. */
function healthyHost(): HostInfo {
  const helper = (path: string) => ({ path, setuidRoot: true, fileCapability: false, nosuidMount: false });
  return {
    host: { kernel: '6.8.0-1-amd64', arch: 'x86_64', distribution: { id: 'ubuntu', idLike: ['debian'], name: 'Ubuntu 24.04', version: '24.04' }, systemd: true },
    user: { name: 'ann', uid: 1000, gid: 1000, root: false },
    userNamespaces: {
      unshare: '/usr/bin/unshare',
      works: true,
      error: null,
      maxUserNamespaces: 63000,
      unprivilegedUsernsClone: null,
      apparmorRestrictUnprivilegedUserns: 0,
      inContainer: false,
      rootRangeMapped: true,
    },
    idMapping: {
      subuid: [{ start: 100000, count: 65536 }],
      subgid: [{ start: 100000, count: 65536 }],
      overlaps: [],
      suggestedRange: { start: 165536, count: 65536 },
      newuidmap: helper('/usr/bin/newuidmap'),
      newgidmap: helper('/usr/bin/newgidmap'),
      trial: { works: true, planned: 'uids 0→1000, 1→100000+65536; gids 0→1000, 1→100000+65536', error: null, remedy: null },
    },
    store: {
      path: '/home/ann/.local/share/rootless',
      exists: true,
      checkedPath: '/home/ann/.local/share/rootless',
      writable: true,
      filesystem: 'ext4',
      mountPoint: '/',
      mountOptions: ['rw', 'relatime'],
      availableBytes: 50 * 1024 ** 3,
      size: { bytes: 3 * 1024 ** 2, files: 20, complete: true },
      localAlternative: '/var/tmp/rootless-ann',
      untraversable: null,
    },
    overlay: { works: true, error: null },
    idmap: [
      { target: 'store', filesystem: 'ext4', works: false, error: 'mount_setattr: Operation not permitted (EPERM)' },
      { target: 'tmpfs', filesystem: 'tmpfs', works: true, error: null },
    ],
    probesSkipped: null,
    layerStrategy: { mode: 'unpacked-in-userns', reason: 'layers unpacked inside the user namespace' },
    network: {
      pasta: { path: '/usr/bin/pasta', version: '2024_05_23' },
      slirp4netns: null,
      tun: { path: '/dev/net/tun', usable: true, error: null },
      ipUnprivilegedPortStart: 1024,
    },
    cgroup: { version: 'v2', path: '/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service', controllers: ['cpu', 'io', 'memory', 'pids'], writable: true },
    init: { name: 'catatonit', path: '/usr/bin/catatonit' },
    runtime: {
      dir: '/run/user/1000/rootless',
      xdgRuntimeDir: '/run/user/1000',
      xdgOwner: 1000,
      xdgMode: '0700',
      loginDir: { path: '/run/user/1000', usable: true },
    },
    linger: true,
  };
}

function check(info: HostInfo, id: string): CheckResult {
  const found = evaluateChecks(info).find((result) => result.id === id);
  assert.ok(found, `check ${id} present`);
  return found!;
}

test('a healthy host passes every check', () => {
  const results = evaluateChecks(healthyHost());
  assert.equal(results.filter((result) => result.status !== 'ok'), []);
  assert.is(mostRelevant(results), undefined);
});

test('AppArmor restriction: named, with the profile and the sysctl', () => {
  const info = healthyHost();
  Object.assign(info.userNamespaces, { works: false, error: 'unshare: write failed /proc/self/uid_map: Operation not permitted', apparmorRestrictUnprivilegedUserns: 1 });
  const result = check(info, 'userns');
  assert.is(result.status, 'fail');
  assert.match(result.detail, 'kernel.apparmor_restrict_unprivileged_userns=1');
  assert.match(result.fix!, /apparmor_parser -r \/etc\/apparmor.d\/rootless-unshare/);
  assert.match(result.fix!, 'kernel.apparmor_restrict_unprivileged_userns=0');
});

test('Debian 10 knob and max_user_namespaces=0', () => {
  const info = healthyHost();
  Object.assign(info.userNamespaces, { works: false, error: 'unshare failed', unprivilegedUsernsClone: 0 });
  assert.match(check(info, 'userns').fix!, "echo 'kernel.unprivileged_userns_clone=1' | sudo tee -a /etc/sysctl.d/99-rootless.conf");
  info.userNamespaces.maxUserNamespaces = 0;
  assert.match(check(info, 'userns').fix!, 'user.max_user_namespaces=28633');
});

test('subordinate ids: missing, too few, shared', () => {
  const info = healthyHost();
  info.idMapping.subgid = [];
  let result = check(info, 'subids');
  assert.is(result.status, 'fail');
  assert.is(result.fix, 'sudo usermod --add-subgids 165536-231071 ann');
  info.idMapping.subuid = [];
  assert.is(check(info, 'subids').fix, 'sudo usermod --add-subuids 165536-231071 --add-subgids 165536-231071 ann');
  info.idMapping.subuid = info.idMapping.subgid = [{ start: 100000, count: 1000 }];
  assert.is(check(info, 'subids').status, 'warn');
  info.idMapping.subuid = info.idMapping.subgid = [{ start: 100000, count: 65536 }];
  info.idMapping.overlaps = [{ owner: 'bob', start: 150000, count: 65536, file: '/etc/subuid' }];
  result = check(info, 'subids');
  assert.is(result.status, 'warn');
  assert.match(result.detail, 'bob 150000-215535');
});

test('root: its containers\' range must exist in its own user namespace', () => {
  const info = healthyHost();
  info.user = { name: 'root', uid: 0, gid: 0, root: true };
  assert.is(check(info, 'subids').status, 'ok');
  info.userNamespaces.rootRangeMapped = false;
  const result = check(info, 'subids');
  assert.is(result.status, 'fail');
  assert.match(result.detail, `without the ids ${ROOT_DEFAULT_RANGE.start}-${ROOT_DEFAULT_RANGE.start + ROOT_DEFAULT_RANGE.count - 1}`);
});

test('newuidmap: missing → install command of the distribution; not setuid → chmod', () => {
  const info = healthyHost();
  info.idMapping.newuidmap = { path: null, setuidRoot: false, fileCapability: false, nosuidMount: false };
  assert.is(check(info, 'idmap-helpers').fix, 'sudo apt install uidmap');
  info.host.distribution = { id: 'fedora', idLike: [], name: 'Fedora', version: '40' };
  assert.is(check(info, 'idmap-helpers').fix, 'sudo dnf install shadow-utils');
  info.idMapping.newuidmap = { path: '/usr/bin/newuidmap', setuidRoot: false, fileCapability: false, nosuidMount: false };
  assert.is(check(info, 'idmap-helpers').fix, 'sudo chmod u+s /usr/bin/newuidmap');
  info.idMapping.newuidmap.fileCapability = true;
  assert.is(check(info, 'idmap-helpers').status, 'ok');
});

test('id maps: a refused map fails with the launcher\'s remedy; not tried → no line', () => {
  const info = healthyHost();
  info.idMapping.trial = { works: false, planned: 'uids 0→1000', error: 'newuidmap failed: write to uid_map failed', remedy: 'Check /etc/subuid' };
  assert.equal(check(info, 'id-maps'), {
    id: 'id-maps',
    title: 'id maps',
    status: 'fail',
    detail: 'writing uids 0→1000 failed: newuidmap failed: write to uid_map failed',
    fix: 'Check /etc/subuid',
  });
  info.idMapping.trial = null;
  assert.not.ok(evaluateChecks(info).some((result) => result.id === 'id-maps'));
});

test('XDG_RUNTIME_DIR: unset, foreign, loose', () => {
  const info = healthyHost();
  Object.assign(info.runtime, { xdgRuntimeDir: null, xdgOwner: null, xdgMode: null });
  assert.is(check(info, 'runtime-dir').fix, 'export XDG_RUNTIME_DIR=/run/user/1000');
  info.runtime.loginDir.usable = false;
  assert.match(check(info, 'runtime-dir').fix!, 'sudo loginctl enable-linger ann');
  info.host.systemd = false;
  assert.is(check(info, 'runtime-dir').fix, 'sudo install -d -m 700 -o 1000 -g 1000 /run/user/1000 && export XDG_RUNTIME_DIR=/run/user/1000');
  Object.assign(info.runtime, { xdgRuntimeDir: '/run/user/0', xdgOwner: 0, xdgMode: '0700' });
  assert.is(check(info, 'runtime-dir').status, 'fail');
  Object.assign(info.runtime, { xdgRuntimeDir: '/run/user/1000', xdgOwner: 1000, xdgMode: '0755' });
  assert.is(check(info, 'runtime-dir').fix, 'chmod 700 /run/user/1000');
});

test('store on NFS fails with a local alternative; noexec warns only without a working overlay', () => {
  const info = healthyHost();
  info.store.filesystem = 'nfs4';
  const result = check(info, 'store');
  assert.is(result.status, 'fail');
  assert.match(result.fix!, 'export ROOTLESS_STORE=/var/tmp/rootless-ann');
  info.store.filesystem = 'ext4';
  info.store.mountOptions = ['rw', 'noexec'];
  assert.is(check(info, 'store').status, 'ok');
  info.overlay = null;
  assert.is(check(info, 'store').status, 'warn');
});

test('a store the user cannot write: only the store changes owner, never a parent', () => {
  const info = healthyHost();
  Object.assign(info.store, { exists: false, checkedPath: '/home', writable: false });
  assert.is(
    check(info, 'store').fix,
    "sudo install -d -o 1000 -g 1000 /home/ann/.local/share/rootless (or echo 'export ROOTLESS_STORE=/var/tmp/rootless-ann' >> ~/.profile && export ROOTLESS_STORE=/var/tmp/rootless-ann)",
  );
  Object.assign(info.store, { exists: true, checkedPath: info.store.path });
  assert.match(check(info, 'store').fix!, /^sudo chown 1000:1000 \/home\/ann\/.local\/share\/rootless /);
});

test('tun, network helpers, cgroup delegation, linger', () => {
  const info = healthyHost();
  info.network.tun = { path: '/dev/net/tun', usable: false, error: 'EACCES' };
  assert.match(check(info, 'tun').fix!, 'sudo chmod 666 /dev/net/tun');
  assert.match(check(info, 'tun').fix!, 'KERNEL=="tun", MODE="0666"');
  info.network.pasta = null;
  assert.is(check(info, 'network-helpers').fix, 'sudo apt install passt');
  info.cgroup.controllers = ['cpu', 'memory'];
  assert.match(check(info, 'cgroup').fix!, 'Delegate=cpu cpuset io memory pids');
  info.linger = false;
  assert.is(check(info, 'linger').fix, 'sudo loginctl enable-linger ann');
});

test('probes not run: no overlay or idmap lines', () => {
  const info = healthyHost();
  info.overlay = null;
  info.idmap = null;
  const ids = evaluateChecks(info).map((result) => result.id);
  assert.not.ok(ids.includes('overlay'));
  assert.not.ok(ids.includes('idmap'));
  info.probesSkipped = 'user namespaces do not work';
  assert.equal(check(info, 'overlay'), { id: 'overlay', title: 'overlayfs in a user namespace', status: 'warn', detail: 'not probed: user namespaces do not work' });
});

test('doctor lines and the first-run diagnosis line', () => {
  assert.is(formatCheck({ id: 'a', title: 'kernel', status: 'ok', detail: 'Linux 6.8' }), 'OK   kernel: Linux 6.8');
  const failed: CheckResult = { id: 'b', title: '/dev/net/tun', status: 'fail', detail: 'cannot open', fix: 'sudo chmod 666 /dev/net/tun' };
  assert.is(formatCheck(failed), 'FAIL /dev/net/tun: cannot open  → fix: sudo chmod 666 /dev/net/tun');
  const warned: CheckResult = { id: 'c', title: 'cgroups', status: 'warn', detail: 'v1', fix: 'x' };
  assert.is(formatCheck(warned), 'WARN cgroups: v1  → fix: x');
  assert.is(mostRelevant([warned, failed]), '/dev/net/tun: cannot open. Fix: sudo chmod 666 /dev/net/tun');
  assert.is(mostRelevant([warned]), undefined);
  assert.is(mostRelevant([{ ...failed, fix: undefined }]), '/dev/net/tun: cannot open');
});

test('info text: nested keys indent, arrays of objects list, bytes get a human size', () => {
  const text = formatInfo({ store: { path: '/s', availableBytes: 2048, size: null }, ranges: [{ start: 1, count: 2 }], tags: [], names: ['a'] });
  assert.is(
    text,
    ['store:', '  path: /s', '  availableBytes: 2048 (2.0 KiB)', '  size: none', 'ranges:', '- start: 1', '  count: 2', 'tags: []', 'names:', '- a'].join('\n'),
  );
});

test.run();
