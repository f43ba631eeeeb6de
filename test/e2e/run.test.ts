// `rootless run` end to end, as an unprivileged user (rltest): real namespaces, a real store.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defaultUserNamespace } from '../../lib/runtime/idmap.js';
import { e2e } from './harness.js';
import { findProcesses, hostUid, pullIntoSandbox, rootless, rootlessAsync, waitFor, watch } from './run-helpers.js';

const { box, image, env } = await pullIntoSandbox('run', e2e.images.alpine.reference);
const plan = defaultUserNamespace();
const scratch = box.dir; // removed with the sandbox
const run = (args: string[], input?: string) => rootless(['run', '--rm', ...args], env, input);

test.after(() => box.cleanup());

test('runs a command of the image as root of a user namespace mapped to the subordinate range', () => {
  const result = run([image, 'sh', '-c', `test -f /${e2e.baseMarker} && echo base; id -u; cat /proc/self/uid_map`]);
  assert.is(result.exitCode, 0, result.stderr);
  const [base, uid, ...map] = result.stdout.trim().split('\n');
  assert.is(base, 'base', `the image's own /${e2e.baseMarker}`);
  assert.is(uid, '0');
  const mappings = map.map((line) => line.trim().split(/\s+/).map(Number));
  assert.equal(mappings, plan.uidMappings.map((m) => [m.containerID, m.hostID, m.size]));
  assert.ok(mappings.length > 1, 'expected the subordinate range to be mapped');
});

test('the command is PID 1 and sees only its own processes', () => {
  const result = run([image, 'sh', '-c', 'echo $$; ps -o pid= | wc -l']);
  const [pid, count] = result.stdout.trim().split('\n');
  assert.is(pid, '1');
  assert.ok(Number(count) <= 3, `saw ${count} processes`);
});

test('flags stop at the image: arguments after it belong to the command', () => {
  const result = run([image, 'ls', '-l', `/${e2e.baseMarker}`]);
  assert.is(result.exitCode, 0, result.stderr);
  assert.match(result.stdout, /^-rw-r--r--/);
});

test('hostname: --hostname, /etc/hostname and /etc/hosts', () => {
  const result = run(['--hostname', 'box', image, 'sh', '-c', 'hostname; cat /etc/hostname; grep box /etc/hosts; echo $HOSTNAME']);
  const [name, file, hosts, variable] = result.stdout.trim().split('\n');
  assert.equal([name, file, variable], ['box', 'box', 'box']);
  assert.match(hosts!, /^\d+\.\d+\.\d+\.\d+\tbox$/); // the container's address (its network's)
});

test("exit status: the container's, 127 not found, 126 not executable, 125 tool error", () => {
  assert.is(run([image, 'sh', '-c', 'exit 42']).exitCode, 42);
  const missing = run([image, 'no-such-command']);
  assert.is(missing.exitCode, 127);
  assert.match(missing.stderr, /^Error: exec: "no-such-command": executable file not found in \$PATH\. /);
  const notExecutable = run([image, '/etc/passwd']);
  assert.is(notExecutable.exitCode, 126);
  assert.match(notExecutable.stderr, /Permission denied \(EACCES\)/);
  const badFlag = run(['--no-such-flag', image, 'true']);
  assert.is(badFlag.exitCode, 125);
  assert.is(badFlag.stderr, 'Error: unknown flag: --no-such-flag. See `rootless run --help`\n');
  const noImage = rootless(['run', '--pull=never', 'no-such-image'], env);
  assert.is(noImage.exitCode, 125);
  assert.match(noImage.stderr, /not in the store/);
});

test('run --help lists the flags (through yargs)', () => {
  const help = rootless(['run', '--help'], env);
  assert.is(help.exitCode, 0, help.stderr);
  assert.match(help.stdout, /--volume/);
});

test('-e, --env-file and the default environment', () => {
  const file = path.join(mkdtempSync(path.join(scratch, 'env-')), 'env');
  writeFileSync(file, '# comment\nFROM_FILE=1\nOVERRIDDEN=file\n');
  const result = rootless(
    ['run', '--rm', '--env-file', file, '-e', 'OVERRIDDEN=flag', '-e', 'FROM_HOST', '-e', 'UNSET_ON_HOST', image, 'sh', '-c', 'env | sort'],
    { ...env, FROM_HOST: 'host value' },
  );
  const lines = result.stdout.trim().split('\n');
  for (const expected of ['FROM_FILE=1', 'OVERRIDDEN=flag', 'FROM_HOST=host value', 'HOME=/root', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']) {
    assert.ok(lines.includes(expected), `${expected} missing from ${lines.join(' ')}`);
  }
  assert.not.ok(lines.some((line) => line.startsWith('UNSET_ON_HOST')));
  const missing = run(['--env-file', `${file}.missing`, image, 'true']);
  assert.is(missing.exitCode, 125);
  assert.match(missing.stderr, /^Error: cannot read the env file .*\.missing/);
});

test('-w creates and enters the working directory; -u sets the user', () => {
  assert.is(run(['-w', '/work/dir', image, 'pwd']).stdout, '/work/dir\n');
  assert.is(run(['-u', '1000:1000', image, 'sh', '-c', 'id -u; id -g']).stdout, '1000\n1000\n');
  const named = run(['-u', 'nobody', '-w', '/tmp', image, 'sh', '-c', 'id -un; echo $HOME; pwd']);
  assert.is(named.stdout, 'nobody\n/\n/tmp\n', named.stderr);
  const unknown = run(['-u', 'no-such-user', image, 'true']);
  assert.is(unknown.exitCode, 125);
  assert.match(unknown.stderr, /unable to find user no-such-user/);
});

test('stdin reaches the container only with -i', () => {
  assert.is(run(['-i', image, 'cat'], 'hello\n').stdout, 'hello\n');
  assert.is(run([image, 'cat'], 'hello\n').stdout, '');
});

test('a megabyte of output arrives intact through a pipe', () => {
  const result = run([image, 'seq', '1', '200000']);
  const expected = Array.from({ length: 200000 }, (_, index) => String(index + 1)).join('\n') + '\n';
  assert.ok(expected.length > 1 << 20);
  assert.ok(result.stdout === expected, `got ${result.stdout.length} bytes, expected ${expected.length} (exit ${result.exitCode}; stderr: ${result.stderr.slice(0, 500)})`);
  assert.is(run([image, 'sh', '-c', 'yes | head -n 2']).stdout, 'y\ny\n'); // SIGPIPE is default again
});

test('volumes: files keep the mapped owners; :ro refuses writes', () => {
  const dir = mkdtempSync(path.join(scratch, 'vol-'));
  mkdirSync(path.join(dir, 'ro'));
  const result = run(['-v', `${dir}:/data`, '-v', `${dir}/ro:/ro:ro`, image, 'sh', '-c',
    'touch /data/by-root && touch /data/by-1000 && chown 1000:1000 /data/by-1000 && touch /ro/denied']);
  assert.is(result.exitCode, 1);
  assert.match(result.stderr, /Read-only file system/);
  assert.is(statSync(path.join(dir, 'by-root')).uid, plan.uidMappings[0]!.hostID);
  const subordinate = plan.uidMappings.find((m) => m.containerID === 1)!;
  assert.is(statSync(path.join(dir, 'by-1000')).uid, subordinate.hostID + 999);
  assert.equal(readdirSync(path.join(dir, 'ro')), []);
  const missing = run(['-v', `${dir}/absent:/x`, image, 'true']);
  assert.is(missing.exitCode, 125);
  assert.match(missing.stderr, /volume source .*absent does not exist/);
});

test('--network none: only loopback, up; --tmpfs; /sys is read-only', () => {
  const result = run(['--network', 'none', '--tmpfs', '/scratch', image, 'sh', '-c',
    'ls /sys/class/net; cat /sys/class/net/lo/operstate; mount | grep " /scratch "; touch /sys/x 2>/dev/null || echo sys-ro']);
  const lines = result.stdout.trim().split('\n');
  assert.equal(lines.slice(0, 2), ['lo', 'unknown']);
  assert.match(lines[2]!, /^tmpfs on \/scratch type tmpfs \(rw,nosuid,nodev,noexec/);
  assert.is(lines[3], 'sys-ro');
});

test('/dev holds the usual nodes and links, /proc is the container\'s own', () => {
  const result = run([image, 'sh', '-c', 'ls /dev | tr "\\n" " "; echo; echo x > /dev/null && head -c 4 /dev/urandom | wc -c; readlink /dev/fd; readlink /dev/ptmx; ls /proc | grep -c "^[0-9]"']);
  assert.is(result.exitCode, 0, result.stderr);
  const [listing, bytes, fdLink, ptmxLink, processes] = result.stdout.trim().split('\n');
  assert.is(listing!.trim(), 'fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero');
  assert.equal([bytes, fdLink, ptmxLink], ['4', '/proc/self/fd', 'pts/ptmx']);
  assert.ok(Number(processes) <= 4, `saw ${processes} processes in /proc`);
});

test('--entrypoint replaces the entrypoint and clears the image Cmd', () => {
  assert.is(run(['--entrypoint', 'echo', image, 'hi']).stdout, 'hi\n');
  assert.is(run(['--entrypoint', 'pwd', image]).stdout, '/\n');
});

test('--rm removes the writable layer, even with files of subordinate ids; without it, it stays', () => {
  const store = env.ROOTLESS_STORE!;
  const containers = () => readdirSync(path.join(store, 'containers'));
  const before = containers().length;
  const result = run([image, 'sh', '-c', 'mkdir -p /d/e && touch /d/e/f && chown -R 1000:1000 /d && chmod 700 /d /d/e']);
  assert.is(result.exitCode, 0, result.stderr);
  assert.is(containers().length, before);
  const kept = rootless(['run', '--name', 'kept', image, 'touch', '/marker'], env);
  assert.is(kept.exitCode, 0, kept.stderr);
  assert.is(containers().length, before + 1);
  const again = rootless(['run', '--name', 'kept', image, 'true'], env);
  assert.is(again.exitCode, 125);
  assert.match(again.stderr, /already in use/);
});

for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT'] as const) {
  test(`${signal} to the CLI reaches a trap in the container`, async () => {
    const name = signal.slice(3);
    const script = `trap "echo got ${name}; exit 3" ${name}; echo ready; while :; do sleep 0.05; done`;
    const child = rootlessAsync(['run', '--rm', image, 'sh', '-c', script], env);
    const watched = watch(child);
    assert.ok(await waitFor(() => watched.stdout().includes('ready')), 'the container never started');
    child.kill(signal);
    const { code } = await watched.exit;
    assert.is(code, 3);
    assert.is(watched.stdout(), `ready\ngot ${name}\n`);
  });
}

test('the container runs as the user on the host, and nothing is left after the CLI is killed', async () => {
  const marker = `${600 + (process.pid % 100)}.${Date.now() % 1_000_000}`; // a unique duration
  const argv = ['sleep', marker];
  const child = rootlessAsync(['run', '--rm', image, ...argv], env);
  const watched = watch(child);
  const pids = await waitFor(() => findProcesses(argv).length > 0 && findProcesses(argv));
  assert.ok(pids && pids.length === 1, 'the container process was not found');
  assert.is(hostUid(pids[0]!), plan.uidMappings[0]!.hostID);
  child.kill('SIGKILL');
  await watched.exit;
  assert.ok(await waitFor(() => findProcesses(argv).length === 0), 'the container process outlived the CLI');
  assert.not.match(readFileSync('/proc/self/mountinfo', 'utf8'), env.ROOTLESS_STORE!);
});

test.run();
