// The escape-test suite: as the unprivileged test user, real containers of the test image try
// what a hostile process would, and each attempt must fail. Also checks the capability sets,
// seccomp and no_new_privs the flags ask for, --read-only, --ulimit and the resource-limit warning.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { gatherCgroup } from '../../lib/doctor/cgroup.js';
import { cgroupProblem } from '../../lib/runtime/resource-limits.js';
import { writeProbeProgram } from './probe-programs.js';
import { createSandbox, e2e, packageRoot, said, type RunResult, type Sandbox } from './harness.js';

const test = suite('security');
const image = e2e.images.alpine.reference;
let box: Sandbox;
let marker: string;

/** `rootless run --rm [flags] IMAGE sh -c SCRIPT` */
function sh(flags: string[], script: string, env?: Record<string, string>): Promise<RunResult> {
  return box.rootless(['run', '--rm', ...flags, image, 'sh', '-c', script], { env });
}

async function ok(flags: string[], script: string, env?: Record<string, string>): Promise<string> {
  const result = await sh(flags, script, env);
  assert.is(result.exitCode, 0, said(result));
  return result.stdout;
}

/** The `Name:\tvalue` lines of /proc/self/status as the container's command sees them. */
async function status(flags: string[], names: string[]): Promise<Record<string, string>> {
  const text = await ok(flags, 'cat /proc/self/status');
  const fields = Object.fromEntries(text.split('\n').map((line) => line.split(':\t')).filter((pair) => pair.length === 2).map(([k, v]) => [k!, v!.trim()]));
  return Object.fromEntries(names.map((name) => [name, fields[name]!]));
}

const allCapabilities = (): string => {
  const last = Number(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8'));
  return ((1n << BigInt(last + 1)) - 1n).toString(16).padStart(16, '0');
};

test.before(async () => {
  box = createSandbox('security');
  const pulled = await box.rootless(['pull', image]);
  assert.is(pulled.exitCode, 0, said(pulled));
  marker = path.join(box.dir, 'host-secret');
  writeFileSync(marker, 'host secret\n');
});

test.after(async () => {
  await box.cleanup();
});

test('host files outside volumes are not visible, directly or through /proc/1/root', async () => {
  const out = await ok([], `cat ${marker} 2>&1; cat /proc/1/root${marker} 2>&1; grep -c '^${os.userInfo().username}:' /etc/passwd || true`);
  assert.not.match(out, /host secret/);
  const [direct, viaProc, hostUser] = out.trim().split('\n');
  assert.match(direct!, /No such file or directory/);
  assert.match(viaProc!, /No such file or directory/);
  assert.is(hostUser, '0', "the host's /etc/passwd is not the container's");
  // /proc/1/root is the container's own root
  assert.is(await ok([], 'ls /proc/1/root/'), await ok([], 'ls /'));
});

test('/proc/self/exe and /proc/1/exe are the container\'s programs and cannot be opened for writing', async () => {
  const result = await sh([], 'readlink /proc/1/exe; exec 3>>/proc/self/exe && echo WRITABLE');
  assert.not.match(result.stdout, /WRITABLE/, said(result));
  assert.is(result.stdout.trim(), '/bin/busybox');
  assert.match(result.stderr, /Text file busy|Permission denied|Read-only/);
});

test('only fds 0, 1, 2 reach the container: an extra fd of the CLI does not leak', async () => {
  const fd = openSync(marker, 'r');
  try {
    const stdio = ['ignore', 'pipe', 'pipe', 'ignore', 'ignore', fd] as const;
    // control: a host process started the same way does inherit fd 5
    const control = spawnSync('/bin/sh', ['-c', 'ls /proc/self/fd'], { stdio: [...stdio], encoding: 'utf8' });
    assert.ok(control.stdout.split('\n').includes('5'), `control: ${control.stdout}`);
    const child = spawnSync(process.execPath, [path.join(packageRoot, 'bin/rootless'), 'run', '--rm', image, 'ls', '/proc/self/fd'], {
      stdio: [...stdio],
      env: { ...process.env, ...box.env },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.is(child.status, 0, child.stderr);
    // 3 is the directory ls itself opens
    assert.equal(child.stdout.trim().split('\n'), ['0', '1', '2', '3']);
  } finally {
    closeSync(fd);
  }
});

test("the CLI's environment does not leak in: only the image's, -e and PATH/HOSTNAME/HOME", async () => {
  const out = await ok(['-e', 'GIVEN=1'], 'env', { FOO_SECRET: 'hunter2', NODE_OPTIONS: '--no-warnings' });
  assert.not.match(out, /FOO_SECRET|hunter2|NODE_OPTIONS|ROOTLESS_STORE/);
  const names = out.trim().split('\n').map((line) => line.split('=')[0]).sort();
  assert.equal(names, ['GIVEN', 'HOME', 'HOSTNAME', 'PATH', 'PWD', 'SHLVL']); // PWD and SHLVL: sh's own
});

test('a nested user namespace is refused by the default seccomp profile', async () => {
  const result = await sh([], 'unshare -U true');
  assert.is.not(result.exitCode, 0);
  assert.match(result.stderr, /Operation not permitted/);
});

test('mounting fails without CAP_SYS_ADMIN', async () => {
  const result = await sh([], 'mount -t tmpfs x /mnt && echo MOUNTED');
  assert.is.not(result.exitCode, 0);
  assert.not.match(result.stdout, /MOUNTED/);
});

test('host processes are invisible: /proc holds only the container\'s pids', async () => {
  const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
  try {
    const out = await ok([], `ls /proc | grep -E '^[0-9]+$'; test -e /proc/${sleeper.pid} && echo SEEN || true; kill -0 ${sleeper.pid} 2>&1 || true`);
    const lines = out.trim().split('\n');
    const pids = lines.filter((line) => /^[0-9]+$/.test(line)).map(Number);
    assert.ok(pids.includes(1) && pids.length <= 3, `pids: ${pids}`); // sh, ls, grep
    assert.not.ok(lines.includes('SEEN'));
    assert.match(out, /No such process/);
  } finally {
    sleeper.kill('SIGKILL');
  }
});

test('/proc/sys is read-only; /proc/keys, /proc/timer_list and /proc/kcore are masked', async () => {
  const write = await sh([], 'echo evil > /proc/sys/kernel/hostname');
  assert.is.not(write.exitCode, 0);
  assert.match(write.stderr, /Read-only file system/);
  const out = await ok([], 'for f in /proc/keys /proc/timer_list /proc/kcore; do if [ -e $f ]; then echo "$f $(cat $f | wc -c)"; else echo "$f absent"; fi; done; grep -c -E " /(proc/keys|sys/firmware) " /proc/self/mountinfo');
  const lines = out.trim().split('\n');
  assert.is(lines[0], '/proc/keys 0');
  assert.is(lines[1], '/proc/timer_list 0');
  assert.match(lines[2]!, /^\/proc\/kcore (0|absent)$/);
  assert.is(lines[3], '2', 'mounts over /proc/keys and /sys/firmware');
});

test('a setuid-root program gains root only without no-new-privileges', async () => {
  const volume = path.join(box.dir, 'suid');
  mkdirSync(volume);
  if (!writeProbeProgram('euid', path.join(volume, 'euid'))) return; // no program for this arch
  await ok(['-v', `${volume}:/v`], 'cp /v/euid /v/suid && chmod 4755 /v/suid');
  const run = (flags: string[], program: string) => box.rootless(['run', '--rm', '-u', '1000', '-v', `${volume}:/v`, ...flags, image, program]);
  assert.is((await run([], '/v/euid')).exitCode, 1000 % 256, 'the plain copy runs as 1000');
  assert.is((await run([], '/v/suid')).exitCode, 0, 'the setuid bit works without no_new_privs');
  assert.is((await run(['--security-opt', 'no-new-privileges'], '/v/suid')).exitCode, 1000 % 256, 'no_new_privs ignores it');
  const nnp = await status(['--security-opt', 'no-new-privileges=true'], ['NoNewPrivs']);
  assert.is(nnp.NoNewPrivs, '1');
});

test('loading kernel keys is refused by the default seccomp profile', async () => {
  const volume = path.join(box.dir, 'keys');
  mkdirSync(volume);
  if (!writeProbeProgram('keyctl', path.join(volume, 'keyctl'))) return; // no program for this arch
  const run = (flags: string[]) => box.rootless(['run', '--rm', '-v', `${volume}:/v:ro`, ...flags, image, '/v/keyctl']);
  assert.is((await run([])).exitCode, 1, 'keyctl(KEYCTL_JOIN_SESSION_KEYRING) fails with EPERM');
  assert.is((await run(['--security-opt', 'seccomp=unconfined'])).exitCode, 0, 'without the filter the kernel makes the keyring (the probe works)');
});

test("capability sets: Docker's default, --cap-drop ALL, --cap-add SYS_ADMIN, --privileged; ambient never leaks", async () => {
  const fields = ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb'];
  assert.equal(await status([], fields), { CapInh: '0000000000000000', CapPrm: '00000000a80425fb', CapEff: '00000000a80425fb', CapBnd: '00000000a80425fb', CapAmb: '0000000000000000' });
  assert.equal(await status(['--cap-drop', 'ALL'], ['CapEff', 'CapBnd', 'CapAmb']), { CapEff: '0000000000000000', CapBnd: '0000000000000000', CapAmb: '0000000000000000' });
  const admin = await status(['--cap-add', 'SYS_ADMIN'], ['CapEff']);
  assert.is(BigInt(`0x${admin.CapEff}`), 0xa80425fbn | (1n << 21n));
  assert.equal(await status(['--privileged'], ['CapEff', 'CapAmb']), { CapEff: allCapabilities(), CapAmb: '0000000000000000' });
  const user = await status(['-u', '1000'], ['CapEff', 'CapAmb']);
  assert.equal(user, { CapEff: '0000000000000000', CapAmb: '0000000000000000' });
});

test('seccomp: filtering by default, off with seccomp=unconfined and with --privileged', async () => {
  assert.is((await status([], ['Seccomp'])).Seccomp, '2');
  assert.is((await status(['--security-opt', 'seccomp=unconfined'], ['Seccomp'])).Seccomp, '0');
  assert.is((await status(['--privileged'], ['Seccomp'])).Seccomp, '0');
  // a profile of the user's (Docker's format) replaces the default
  const profile = path.join(box.dir, 'deny-mkdir.json');
  writeFileSync(profile, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }] }));
  const denied = await sh(['--security-opt', `seccomp=${profile}`], 'mkdir /newdir');
  assert.is.not(denied.exitCode, 0);
  assert.match(denied.stderr, /Operation not permitted/);
});

test('--read-only: / and /tmp are read-only unless --tmpfs /tmp; /dev/shm stays writable', async () => {
  const result = await sh(['--read-only'], 'touch /x; touch /tmp/x; touch /dev/shm/x && echo SHM');
  assert.match(result.stderr, /touch: \/x: Read-only file system/);
  assert.match(result.stderr, /touch: \/tmp\/x: Read-only file system/);
  assert.match(result.stdout, /SHM/);
  assert.match(await ok(['--read-only', '--tmpfs', '/tmp'], 'touch /tmp/x && echo TMP'), /TMP/);
});

test('--ulimit nofile=100:200 sets the soft and hard limits', async () => {
  assert.equal((await ok(['--ulimit', 'nofile=100:200'], 'ulimit -n; ulimit -Hn')).trim().split('\n'), ['100', '200']);
});

test('--memory/--pids-limit/--cpus: one warning line where no cgroup v2 is delegated', async () => {
  const result = await sh(['--memory', '64m', '--pids-limit', '50', '--cpus', '1'], 'true');
  assert.is(result.exitCode, 0, said(result));
  const warnings = result.stderr.split('\n').filter((line) => line.startsWith('WARN:'));
  if (cgroupProblem(gatherCgroup(), ['memory', 'pids', 'cpu'])) {
    assert.is(warnings.length, 1, said(result));
    assert.match(warnings[0]!, /--memory, --cpus and --pids-limit are ignored: .*cgroup/);
  } else {
    assert.is(warnings.length, 0, said(result));
  }
});

test('--cgroupns: a private cgroup namespace by default, the host\'s with --cgroupns=host', async () => {
  const own = readlinkSync('/proc/self/ns/cgroup');
  assert.is.not((await ok([], 'readlink /proc/self/ns/cgroup')).trim(), own);
  assert.is((await ok(['--cgroupns=host'], 'readlink /proc/self/ns/cgroup')).trim(), own);
});

test('bad security flags: one line naming the cause, exit 125', async () => {
  for (const flags of [['--cap-add', 'NOPE'], ['--security-opt', 'seccomp=/no/such.json'], ['--ulimit', 'nofile=9:1'], ['--security-opt', 'bogus']]) {
    const result = await sh(flags, 'true');
    assert.is(result.exitCode, 125, said(result));
    assert.match(result.stderr, /^Error: .+\n$/, said(result));
  }
  assert.equal(box.list('containers'), [], 'nothing half-made is left in the store');
});

test.run();
