import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { processCapabilities } from '../../../lib/runtime/capabilities.js';
import { execProcessSpec, type ExecRequest, type SpecProcess } from '../../../lib/spec/exec-process.js';

const rootCaps = processCapabilities({ uid: 0 });
const container: SpecProcess = {
  terminal: false,
  user: { uid: 0, gid: 0, additionalGids: [10] },
  args: ['sleep', '600'],
  env: ['PATH=/bin', 'HOME=/root', 'FROM_RUN=yes'],
  cwd: '/srv',
  capabilities: rootCaps,
  noNewPrivileges: true,
  rlimits: [{ type: 'RLIMIT_NOFILE', soft: 10, hard: 20 }],
};
const passwd = 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n';
const group = 'root:x:0:\napp:x:1000:\nextra:x:2000:app\n';
const request = (fields: Partial<ExecRequest>): ExecRequest => ({ args: ['id'], env: [], tty: false, privileged: false, ...fields });

test("the container's user, directory, environment, capabilities and limits, with the exec command", () => {
  const spec = execProcessSpec(container, request({}), passwd, group);
  assert.equal(spec.args, ['id']);
  assert.equal(spec.user, container.user);
  assert.is(spec.cwd, '/srv');
  assert.equal(spec.env, container.env);
  assert.equal(spec.capabilities, rootCaps);
  assert.is(spec.noNewPrivileges, true);
  assert.equal(spec.rlimits, container.rlimits);
  assert.is(spec.terminal, false);
});

test('-e overrides in place and appends; -t adds TERM; -w replaces the directory', () => {
  const spec = execProcessSpec(container, request({ env: ['FROM_RUN=exec', 'NEW=1'], tty: true, workdir: '/tmp' }), passwd, group);
  assert.equal(spec.env, ['PATH=/bin', 'HOME=/root', 'FROM_RUN=exec', 'TERM=xterm', 'NEW=1']);
  assert.is(spec.terminal, true);
  assert.is(spec.cwd, '/tmp');
});

test("-u: the user's ids, groups and home from the container's files; no capabilities for a non-root user", () => {
  const spec = execProcessSpec(container, request({ user: 'app' }), passwd, group);
  assert.equal(spec.user, { uid: 1000, gid: 1000, additionalGids: [2000] });
  assert.ok(spec.env.includes('HOME=/home/app'));
  assert.equal(spec.capabilities, { bounding: rootCaps.bounding, effective: [], permitted: [], inheritable: [], ambient: [] });
  const withHome = execProcessSpec(container, request({ user: 'app', env: ['HOME=/x'] }), passwd, group);
  assert.ok(withHome.env.includes('HOME=/x'), '-e HOME wins');
  assert.throws(() => execProcessSpec(container, request({ user: 'nobody-here' }), passwd, group), /unable to find user nobody-here/);
});

test('-u 0 in a container of a non-root user: the bounding set becomes effective; --privileged: every capability', () => {
  const userContainer: SpecProcess = { ...container, user: { uid: 1000, gid: 1000 }, capabilities: processCapabilities({ uid: 1000 }) };
  const asRoot = execProcessSpec(userContainer, request({ user: '0' }), passwd, group);
  assert.equal(asRoot.capabilities?.effective, rootCaps.bounding);
  assert.equal(asRoot.capabilities?.ambient, []);
  const privileged = execProcessSpec(container, request({ privileged: true }), passwd, group);
  assert.equal(privileged.capabilities, processCapabilities({ uid: 0, privileged: true }));
  assert.ok(privileged.capabilities!.effective!.includes('CAP_SYS_ADMIN'));
});

test.run();
