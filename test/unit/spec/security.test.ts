// Flags → the security parts of config.json: capabilities, seccomp, masked and read-only paths,
// no_new_privs, rlimits, the read-only root, resources and the cgroup namespace.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RootlessError } from '../../../lib/errors.js';
import { DEFAULT_CAPABILITIES } from '../../../lib/runtime/capabilities.js';
import { cgroupFiles, cgroupProblem } from '../../../lib/runtime/resource-limits.js';
import { PRECOMPILED_SECCOMP } from '../../../lib/runtime/seccomp/precompiled.js';
import { buildSpec, type SpecInput } from '../../../lib/spec/build.js';
import { parseMemory, parseResources } from '../../../lib/spec/resources.js';
import { parseRunArgs } from '../../../lib/spec/run-options.js';
import { MASKED_PATHS, parseSecurityOpts, parseUlimits, READONLY_PATHS, RLIM_INFINITY } from '../../../lib/spec/security.js';

const id = 'cd'.repeat(32);
const plan = {
  uidMappings: [{ containerID: 0, hostID: 1001, size: 1 }, { containerID: 1, hostID: 100000, size: 65536 }],
  gidMappings: [{ containerID: 0, hostID: 1001, size: 1 }, { containerID: 1, hostID: 100000, size: 65536 }],
};

function spec(args: string[], extra: Partial<SpecInput> = {}) {
  return buildSpec({
    id,
    options: parseRunArgs([...args, 'img']),
    image: { config: { Cmd: ['/bin/sh'] } },
    paths: { layers: ['/s/layers/base'], storageDir: `/s/containers/${id}`, bundleDir: `/r/containers/${id}` },
    plan,
    passwd: 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n',
    group: 'root:x:0:\napp:x:1000:\n',
    envFiles: [],
    hostEnv: {},
    hostHostname: 'h',
    cwd: '/',
    ...extra,
  });
}

function fails(action: () => unknown, pattern: RegExp): void {
  try {
    action();
  } catch (error) {
    assert.instance(error, RootlessError);
    assert.match((error as Error).message, pattern);
    return;
  }
  assert.unreachable(`expected an error matching ${pattern}`);
}

test("defaults: Docker's capabilities for root, the default seccomp profile (precompiled), masked and read-only paths", () => {
  const config = spec([]);
  assert.equal(new Set(config.process.capabilities!.bounding), new Set(DEFAULT_CAPABILITIES));
  assert.equal(new Set(config.process.capabilities!.effective), new Set(DEFAULT_CAPABILITIES));
  assert.equal(config.process.capabilities!.ambient, []);
  assert.is(config.process.noNewPrivileges, false);
  assert.is(config.linux.seccomp?.defaultAction, 'SCMP_ACT_ERRNO');
  // stage 2 loads the stored program only when the spec carries exactly the precompiled profile
  const stored = PRECOMPILED_SECCOMP.find((entry) => entry.nodeArch === process.arch);
  if (stored) assert.is(JSON.stringify(config.linux.seccomp), stored.seccomp);
  assert.equal(config.linux.maskedPaths, [...MASKED_PATHS]);
  assert.ok(config.linux.maskedPaths!.includes('/proc/kcore') && config.linux.maskedPaths!.includes('/sys/firmware'));
  assert.equal(config.linux.readonlyPaths, [...READONLY_PATHS]);
  assert.ok(config.linux.readonlyPaths!.includes('/proc/sys'));
  assert.is(config.root.readonly, false);
  assert.is(config.process.rlimits, undefined);
  assert.is(config.linux.resources, undefined);
  assert.ok(config.linux.namespaces.some((namespace) => namespace.type === 'cgroup'));
});

test('--cap-add/--cap-drop: names with or without CAP_, any case, ALL; seccomp follows the capabilities', () => {
  const added = spec(['--cap-add', 'sys_admin', '--cap-drop', 'CAP_CHOWN']);
  assert.ok(added.process.capabilities!.effective!.includes('CAP_SYS_ADMIN'));
  assert.not.ok(added.process.capabilities!.bounding!.includes('CAP_CHOWN'));
  // with CAP_SYS_ADMIN the profile allows mount and drops the clone namespace-flag rule
  const names = (config: ReturnType<typeof spec>) => config.linux.seccomp!.syscalls!.flatMap((rule) => rule.names);
  assert.ok(names(added).includes('mount'));
  assert.not.ok(names(spec([])).includes('mount'));
  assert.equal(spec(['--cap-drop', 'ALL']).process.capabilities!.bounding, []);
  assert.equal(spec(['--cap-drop=all', '--cap-add=NET_RAW']).process.capabilities!.bounding, ['CAP_NET_RAW']);
  fails(() => spec(['--cap-add', 'NOT_A_CAP']), /unknown capability "NOT_A_CAP"/);
});

test('-u 1000: only added capabilities are effective and ambient; the bounding set stays', () => {
  const config = spec(['-u', '1000', '--cap-add', 'NET_BIND_SERVICE']);
  assert.equal(config.process.capabilities!.effective, ['CAP_NET_BIND_SERVICE']);
  assert.equal(config.process.capabilities!.ambient, ['CAP_NET_BIND_SERVICE']);
  assert.equal(new Set(config.process.capabilities!.bounding), new Set(DEFAULT_CAPABILITIES));
  assert.equal(spec(['-u', '1000']).process.capabilities!.effective, []);
});

test('--privileged: every capability, no seccomp, no masked or read-only paths', () => {
  const config = spec(['--privileged']);
  assert.is(config.process.capabilities!.bounding!.length, 41);
  assert.is(config.linux.seccomp, undefined);
  assert.equal(config.linux.maskedPaths, []);
  assert.equal(config.linux.readonlyPaths, []);
});

test('--security-opt: no-new-privileges[=true|false], seccomp=unconfined, seccomp=FILE (Docker JSON)', () => {
  assert.is(spec(['--security-opt', 'no-new-privileges']).process.noNewPrivileges, true);
  assert.is(spec(['--security-opt=no-new-privileges=true']).process.noNewPrivileges, true);
  assert.is(spec(['--security-opt', 'no-new-privileges:false']).process.noNewPrivileges, false);
  const unconfined = spec(['--security-opt', 'seccomp=unconfined']);
  assert.is(unconfined.linux.seccomp, undefined);
  assert.equal(unconfined.linux.maskedPaths, [...MASKED_PATHS]); // only seccomp is lifted
  assert.equal(parseSecurityOpts(['seccomp=/p.json']).seccomp, { unconfined: false, profileFile: '/p.json' });
  const profile = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['chmod'], action: 'SCMP_ACT_ERRNO', includes: { caps: ['CAP_SYS_ADMIN'] } }, { names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }] };
  const custom = spec(['--security-opt', 'seccomp=/p.json'], { seccompProfile: { file: '/p.json', text: JSON.stringify(profile) } });
  assert.is(custom.linux.seccomp!.defaultAction, 'SCMP_ACT_ALLOW');
  assert.equal(custom.linux.seccomp!.syscalls!.map((rule) => rule.names), [['mkdir']]); // chmod's rule needs CAP_SYS_ADMIN
  fails(() => spec(['--security-opt', 'seccomp=/p.json'], { seccompProfile: { file: '/p.json', text: '{"defaultAction":"NOPE"}' } }), /seccomp profile \/p\.json: defaultAction "NOPE"/);
  fails(() => parseSecurityOpts(['no-new-privileges=maybe']), /invalid --security-opt "no-new-privileges=maybe"/);
  fails(() => parseSecurityOpts(['seccomp']), /invalid --security-opt "seccomp"/);
  assert.equal(parseSecurityOpts(['label=disable', 'apparmor=unconfined']).noNewPrivileges, false);
});

test('--ulimit NAME=SOFT[:HARD] → process.rlimits; -1 is unlimited; bad values are refused', () => {
  assert.equal(spec(['--ulimit', 'nofile=100:200', '--ulimit', 'core=0']).process.rlimits, [
    { type: 'RLIMIT_NOFILE', soft: 100, hard: 200 },
    { type: 'RLIMIT_CORE', soft: 0, hard: 0 },
  ]);
  assert.equal(parseUlimits(['nproc=-1']), [{ type: 'RLIMIT_NPROC', soft: RLIM_INFINITY, hard: RLIM_INFINITY }]);
  assert.equal(parseUlimits(['nofile=1', 'nofile=5:6']), [{ type: 'RLIMIT_NOFILE', soft: 5, hard: 6 }]);
  fails(() => parseUlimits(['nofile=200:100']), /soft limit is above the hard limit/);
  fails(() => parseUlimits(['files=1']), /invalid --ulimit "files=1"/);
  fails(() => parseUlimits(['nofile=abc']), /"abc" is not a number/);
});

test('--read-only sets root.readonly; --cgroupns=host leaves the cgroup namespace out', () => {
  assert.is(spec(['--read-only']).root.readonly, true);
  assert.not.ok(spec(['--cgroupns=host']).linux.namespaces.some((namespace) => namespace.type === 'cgroup'));
  assert.ok(spec(['--cgroupns', 'private']).linux.namespaces.some((namespace) => namespace.type === 'cgroup'));
  fails(() => parseRunArgs(['--cgroupns', 'shared', 'img']), /invalid value "shared" for --cgroupns/);
});

test('--memory, --cpus, --pids-limit → linux.resources and cgroup v2 files', () => {
  const resources = parseResources({ memory: '512m', cpus: '1.5', pidsLimit: '100' });
  assert.equal(resources, { memory: { limit: 512 * 1024 * 1024 }, cpu: { quota: 150000, period: 100000 }, pids: { limit: 100 } });
  assert.equal(spec(['-m', '1g']).linux.resources, { memory: { limit: 1024 ** 3 } });
  assert.equal(cgroupFiles(resources), [['memory.max', '536870912'], ['cpu.max', '150000 100000'], ['pids.max', '100']]);
  assert.equal(parseResources({ pidsLimit: '-1' }), {});
  assert.is(parseMemory('1048576000'), 1048576000);
  fails(() => parseMemory('12x'), /invalid --memory "12x"/);
  fails(() => parseResources({ cpus: '0' }), /invalid --cpus "0"/);
  fails(() => parseResources({ pidsLimit: 'many' }), /invalid --pids-limit "many"/);
});

test('resource limits apply only with a delegated cgroup v2 holding the controllers', () => {
  const v2 = { version: 'v2' as const, path: '/sys/fs/cgroup/user.slice/user@1000.service', controllers: ['cpu', 'memory', 'pids'], writable: true };
  assert.is(cgroupProblem(v2, ['memory', 'pids']), undefined);
  assert.match(cgroupProblem({ ...v2, version: 'hybrid' }, ['memory'])!, /hybrid/);
  assert.match(cgroupProblem({ ...v2, writable: false }, ['memory'])!, /is not delegated to this user/);
  assert.match(cgroupProblem({ ...v2, controllers: ['cpu'] }, ['memory', 'pids'])!, /controllers memory, pids are not delegated/);
});

test.run();
