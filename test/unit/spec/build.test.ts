import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildSpec, DEFAULT_PATH, processArgs, type SpecInput } from '../../../lib/spec/build.js';
import type { OCIImageConfig } from '../../../lib/spec/oci.js';
import { idmappedMountsOf } from '../../../lib/runtime/layer-mounts.js';
import { parseRunArgs } from '../../../lib/spec/run-options.js';

const id = 'ab'.repeat(32);
const plan = {
  uidMappings: [{ containerID: 0, hostID: 1001, size: 1 }, { containerID: 1, hostID: 100000, size: 65536 }],
  gidMappings: [{ containerID: 0, hostID: 1001, size: 1 }, { containerID: 1, hostID: 100000, size: 65536 }],
};

function input(args: string[], config: OCIImageConfig['config'] = { Cmd: ['/bin/sh'] }): SpecInput {
  return {
    id,
    options: parseRunArgs([...args, 'img']),
    image: { config },
    paths: { layers: ['/s/layers/base', '/s/layers/top'], storageDir: `/s/containers/${id}`, bundleDir: `/r/containers/${id}` },
    plan,
    passwd: 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n',
    group: 'root:x:0:\napp:x:1000:\n',
    envFiles: [],
    hostEnv: { FROM_HOST: 'h' },
    hostHostname: 'hosthost',
    cwd: '/here',
  };
}

function withCommand(args: string[], command: string[], config?: OCIImageConfig['config']): SpecInput {
  const base = input(args, config);
  return { ...base, options: { ...base.options, command } };
}

test('Docker precedence of entrypoint and command', () => {
  const image = { config: { Entrypoint: ['/entry'], Cmd: ['default'] } };
  const args = (flags: string[], command: string[]) => processArgs({ ...parseRunArgs([...flags, 'img', ...command]) }, image);
  assert.equal(args([], []), ['/entry', 'default']);
  assert.equal(args([], ['mine']), ['/entry', 'mine']);
  assert.equal(args(['--entrypoint', 'other'], []), ['other']); // --entrypoint clears the image's Cmd
  assert.equal(args(['--entrypoint', 'other'], ['x']), ['other', 'x']);
  assert.equal(args(['--entrypoint', ''], ['x', 'y']), ['x', 'y']);
  assert.throws(() => processArgs(parseRunArgs(['--entrypoint', '', 'img']), image), /no command given/);
  assert.throws(() => processArgs(parseRunArgs(['img']), { config: {} }), /no command given/);
});

test('the overlay is the first mount, layers top first, upper and work in the store', () => {
  const spec = buildSpec(input([]));
  assert.equal(spec.mounts[0], {
    destination: '/',
    type: 'overlay',
    source: 'overlay',
    options: ['userxattr', 'lowerdir=/s/layers/top:/s/layers/base', `upperdir=/s/containers/${id}/upper`, `workdir=/s/containers/${id}/work`],
  });
  assert.is(spec.root.path, `/r/containers/${id}/rootfs`);
  assert.is(spec.ociVersion, '1.2.0');
  assert.equal(spec.linux.uidMappings, plan.uidMappings);
  assert.is(spec.process.terminal, false);
});

test('environment: image env, default PATH, HOSTNAME, HOME; -e wins', () => {
  const spec = buildSpec(withCommand(['-e', 'IMG=flag', '-e', 'FROM_HOST', '-u', 'app'], ['x'], { Env: ['IMG=image', 'OTHER=1'] }));
  assert.equal(spec.process.env, ['IMG=flag', 'OTHER=1', `PATH=${DEFAULT_PATH}`, `HOSTNAME=${id.slice(0, 12)}`, 'HOME=/home/app', 'FROM_HOST=h']);
  const imagePath = buildSpec(withCommand([], ['x'], { Env: ['PATH=/custom', 'HOME=/h'] })).process.env;
  assert.ok(imagePath.includes('PATH=/custom') && imagePath.includes('HOME=/h'));
  assert.not.ok(imagePath.includes(`PATH=${DEFAULT_PATH}`));
});

test('env files come before -e', () => {
  const base = input(['-e', 'A=flag']);
  const spec = buildSpec({ ...base, envFiles: [{ file: 'f', text: 'A=file\nB=file\n' }] });
  assert.ok(spec.process.env.includes('A=flag') && spec.process.env.includes('B=file'));
});

test('user and working directory: flags over the image', () => {
  const fromImage = buildSpec(withCommand([], ['x'], { User: 'app', WorkingDir: '/srv' }));
  assert.equal(fromImage.process.user, { uid: 1000, gid: 1000, additionalGids: [] });
  assert.is(fromImage.process.cwd, '/srv');
  const fromFlags = buildSpec(withCommand(['-u', '0:0', '-w', '/tmp/../opt'], ['x'], { User: 'app', WorkingDir: '/srv' }));
  assert.equal(fromFlags.process.user, { uid: 0, gid: 0, additionalGids: [] });
  assert.is(fromFlags.process.cwd, '/opt');
  assert.throws(() => buildSpec(input(['-w', 'relative'])), /not an absolute path/);
});

test('hostname: flag, else the short id without the host network, else the host name', () => {
  assert.is(buildSpec(input(['--hostname', 'box'])).hostname, 'box');
  assert.is(buildSpec(input([])).hostname, id.slice(0, 12));
  assert.is(buildSpec(input(['--network', 'none'])).hostname, id.slice(0, 12));
  assert.is(buildSpec(input(['--network', 'host'])).hostname, 'hosthost');
});

test('every network but host gets a network namespace and a fresh sysfs; host binds /sys read-only', () => {
  for (const network of [[], ['--network', 'none'], ['--network', 'slirp4netns'], ['--net=pasta:--map-gw']]) {
    const own = buildSpec(input(network));
    assert.equal(own.linux.namespaces.map((ns) => ns.type), ['user', 'mount', 'pid', 'uts', 'ipc', 'cgroup', 'network']);
    assert.is(own.mounts.find((m) => m.destination === '/sys')!.type, 'sysfs');
  }
  const host = buildSpec(input(['--network', 'host']));
  assert.not.ok(host.linux.namespaces.some((ns) => ns.type === 'network'));
  assert.equal(host.mounts.find((m) => m.destination === '/sys')!.options, ['rbind', 'nosuid', 'noexec', 'nodev', 'ro']);
});

test('volumes and tmpfs come last, in order; relative sources resolve against the CLI cwd', () => {
  const spec = buildSpec(input(['-v', './data:/d', '-v', '/abs:/e/../f:ro', '--tmpfs', '/t:size=1m']));
  assert.equal(spec.mounts.slice(-3), [
    { destination: '/d', type: 'bind', source: '/here/data', options: ['rbind'] },
    { destination: '/f', type: 'bind', source: '/abs', options: ['rbind', 'ro'] },
    { destination: '/t', type: 'tmpfs', source: 'tmpfs', options: ['rw', 'nosuid', 'nodev', 'noexec', 'size=1m'] },
  ]);
});

test('users outside the id map are refused before the start; unmapped groups are dropped', () => {
  const single = { uidMappings: [{ containerID: 0, hostID: 1001, size: 1 }], gidMappings: [{ containerID: 0, hostID: 1001, size: 1 }], warning: 'no subordinate ids' };
  assert.throws(() => buildSpec({ ...input(['-u', '1000']), plan: single }), /uid 1000, gid 1000 of the container user is not mapped/);
  const root = buildSpec({ ...input([]), plan: single, group: 'root:x:0:\nwheel:x:10:root\n' });
  assert.equal(root.process.user, { uid: 0, gid: 0, additionalGids: [] });
  const full = buildSpec({ ...input([]), group: 'root:x:0:\nwheel:x:10:root\n' });
  assert.equal(full.process.user.additionalGids, [10]);
});


test('--init: the host init is bind-mounted read-only at /dev/init and runs the command after --', () => {
  const plain = buildSpec(withCommand([], ['sleep', '1']));
  assert.equal(plain.process.args, ['sleep', '1']);
  assert.not.ok(plain.mounts.some((mount) => mount.destination === '/dev/init'));
  const spec = buildSpec({ ...withCommand(['--init'], ['sleep', '1']), initBinary: '/usr/bin/catatonit' });
  assert.equal(spec.process.args, ['/dev/init', '--', 'sleep', '1']);
  const init = spec.mounts.find((mount) => mount.destination === '/dev/init');
  assert.equal(init, { destination: '/dev/init', type: 'bind', source: '/usr/bin/catatonit', options: ['bind', 'ro'] });
  assert.ok(spec.mounts.indexOf(init!) > spec.mounts.findIndex((mount) => mount.destination === '/dev'), 'mounted after /dev');
});

test.run();

test('ID-mapped layers (real root): the overlay takes the staging dirs; the annotation pairs them with the layer dirs', () => {
  const base = input(['-v', '/vol:/v:idmap']);
  const layerMounts = [`/r/containers/${id}/layers/0`, `/r/containers/${id}/layers/1`];
  const spec = buildSpec({ ...base, paths: { ...base.paths, layerMounts } });
  assert.ok(spec.mounts[0]!.options!.includes(`lowerdir=${layerMounts[1]}:${layerMounts[0]}`));
  assert.equal(spec.mounts.at(-1), { destination: '/v', type: 'bind', source: '/vol', options: ['rbind', 'idmap'] });
  assert.equal(idmappedMountsOf(spec), {
    layers: [{ source: '/s/layers/base', target: layerMounts[0] }, { source: '/s/layers/top', target: layerMounts[1] }],
    volumes: [{ source: '/vol', destination: '/v' }],
  });
  assert.is(buildSpec(input([])).annotations, undefined, 'nothing ID-mapped, no annotation');
});
