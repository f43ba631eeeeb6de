import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseSubIdEntries, parseSubIds } from '../../../lib/runtime/idmap.js';
import {
  CAP_SETGID,
  CAP_SETUID,
  freeRange,
  hasCapability,
  idMapCovers,
  isNetworkFilesystem,
  mountContaining,
  overlappingEntries,
  parseCapabilityXattr,
  parseControllerList,
  parseIdMap,
  parseMountInfo,
  parseOsRelease,
  parseProcCgroup,
  rangeText,
  versionFromOutput,
} from '../../../lib/doctor/parse.js';

test('os-release: quotes, escapes, comments', () => {
  const fields = parseOsRelease(
    ['# comment', 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"', 'ID=debian', "ID_LIKE='rhel fedora'", 'NAME="say \\"hi\\""', 'bad line'].join('\n'),
  );
  assert.equal(fields, { PRETTY_NAME: 'Debian GNU/Linux 12 (bookworm)', ID: 'debian', ID_LIKE: 'rhel fedora', NAME: 'say "hi"' });
});

const mountinfo = [
  '27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard',
  '40 27 0:50 / /home rw,nosuid,nodev,noexec,relatime shared:5 - nfs4 server:/export/home rw,vers=4.2',
  '41 40 0:51 / /home/ann/my\\040disk rw,relatime - ext4 /dev/sdb1 rw',
  '42 27 0:52 / /homework rw,relatime - tmpfs tmpfs rw',
  '43 27 0:53 / /home rw,relatime - xfs /dev/sdc1 rw',
].join('\n');

test('mountinfo: optional fields, options, octal escapes', () => {
  const entries = parseMountInfo(mountinfo);
  assert.is(entries.length, 5);
  assert.equal(entries[1], {
    mountPoint: '/home',
    options: ['rw', 'nosuid', 'nodev', 'noexec', 'relatime'],
    fstype: 'nfs4',
    source: 'server:/export/home',
    superOptions: ['rw', 'vers=4.2'],
  });
  assert.is(entries[2]!.mountPoint, '/home/ann/my disk');
});

test('mountContaining: longest prefix on a path boundary, later mount over the same point wins', () => {
  const entries = parseMountInfo(mountinfo);
  assert.is(mountContaining(entries, '/home/bob/.local/share/rootless')!.fstype, 'xfs');
  assert.is(mountContaining(entries, '/home/ann/my disk/store')!.mountPoint, '/home/ann/my disk');
  assert.is(mountContaining(entries, '/homework/x')!.fstype, 'tmpfs');
  assert.is(mountContaining(entries, '/var/tmp')!.mountPoint, '/');
  assert.is(mountContaining(entries, '/home')!.fstype, 'xfs');
});

test('network filesystems', () => {
  for (const fs of ['nfs', 'nfs4', 'cifs', 'fuse.sshfs', 'ceph']) assert.ok(isNetworkFilesystem(fs), fs);
  for (const fs of ['ext4', 'xfs', 'btrfs', 'tmpfs', 'fuse.gocryptfs']) assert.not.ok(isNetworkFilesystem(fs), fs);
});

test('subid entries: every owner, bad lines dropped; parseSubIds keeps its per-user answer', () => {
  const text = 'ann:100000:65536\n# x\n1002:165536:65536\nbob:abc:1\nbob:200000:0\ncid:300000:10\n';
  assert.equal(parseSubIdEntries(text), [
    { owner: 'ann', start: 100000, count: 65536 },
    { owner: '1002', start: 165536, count: 65536 },
    { owner: 'cid', start: 300000, count: 10 },
  ]);
  assert.equal(parseSubIds(text, { uid: 1002, name: 'dan' }), [{ start: 165536, count: 65536 }]);
});

test('overlap detection: touching ranges do not overlap, shared ids do', () => {
  const others = [
    { owner: 'bob', start: 165536, count: 65536 }, // starts right after ann's range
    { owner: 'cid', start: 165535, count: 1 }, // ann's last id
    { owner: 'dan', start: 50000, count: 50000 }, // ends right before
    { owner: 'eve', start: 90000, count: 200000 }, // covers it
  ];
  const found = overlappingEntries([{ start: 100000, count: 65536 }], others).map((entry) => entry.owner);
  assert.equal(found, ['cid', 'eve']);
});

test('freeRange: first gap of the wanted size at or above 100000', () => {
  assert.equal(freeRange([]), { start: 100000, count: 65536 });
  const taken = [
    { start: 200000, count: 65536 },
    { start: 100000, count: 65536 },
    { start: 100000, count: 65536 },
  ];
  assert.equal(freeRange(taken), { start: 265536, count: 65536 });
  assert.equal(freeRange(taken, 10000), { start: 165536, count: 10000 });
  assert.is(rangeText({ start: 100000, count: 65536 }), '100000-165535');
});

test('uid_map parsing and coverage of a range', () => {
  const full = parseIdMap('         0          0 4294967295\n');
  assert.ok(idMapCovers(full, { start: 100000, count: 65536 }));
  const single = parseIdMap('0 1001 1\n');
  assert.not.ok(idMapCovers(single, { start: 100000, count: 65536 }));
  const split = parseIdMap('0 1001 1\n1 100000 100000\n100001 300000 65535\n');
  assert.ok(idMapCovers(split, { start: 100000, count: 65536 }));
  assert.not.ok(idMapCovers(split, { start: 100000, count: 65537 }));
});

test('/proc/self/cgroup: v2 line and v1 controllers', () => {
  const parsed = parseProcCgroup('12:cpu,cpuacct:/user.slice\n4:memory:/x\n1:name=systemd:/s\n0::/user.slice/user-1000.slice/session-2.scope\n');
  assert.is(parsed.unifiedPath, '/user.slice/user-1000.slice/session-2.scope');
  assert.equal(parsed.v1, { cpu: '/user.slice', cpuacct: '/user.slice', memory: '/x', 'name=systemd': '/s' });
  assert.is(parseProcCgroup('4:memory:/x\n').unifiedPath, undefined);
  assert.equal(parseControllerList('cpuset cpu io memory pids\n'), ['cpuset', 'cpu', 'io', 'memory', 'pids']);
  assert.equal(parseControllerList('\n'), []);
});

test('security.capability: revision 2 with cap_setuid=ep, and without the effective flag', () => {
  const setuidEp = Buffer.from('0100000280000000000000000000000000000000', 'hex');
  const caps = parseCapabilityXattr(setuidEp)!;
  assert.ok(hasCapability(caps, CAP_SETUID));
  assert.not.ok(hasCapability(caps, CAP_SETGID));
  const notEffective = Buffer.from('0000000280000000000000000000000000000000', 'hex');
  assert.not.ok(hasCapability(parseCapabilityXattr(notEffective)!, CAP_SETUID));
  assert.is(parseCapabilityXattr(Buffer.from('00', 'hex')), undefined);
});

test('versions: first numeric word; Debian pasta says unknown', () => {
  assert.is(versionFromOutput('slirp4netns version 1.2.0\ncommit: 656041d\n'), '1.2.0');
  assert.is(versionFromOutput('pasta 2024_05_23.765eb0b\nCopyright Red Hat\n'), '2024_05_23.765eb0b');
  assert.is(versionFromOutput('pasta unknown version\nCopyright Red Hat\n'), undefined);
  assert.is(versionFromOutput('tini version 0.1.7_catatonit'), '0.1.7_catatonit');
});

test.run();
