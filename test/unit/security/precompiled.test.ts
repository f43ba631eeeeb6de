import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_CAPABILITIES } from '../../../lib/runtime/capabilities.js';
import { hostArch } from '../../../lib/runtime/seccomp/arch.js';
import { compileSeccomp } from '../../../lib/runtime/seccomp/compile.js';
import { DEFAULT_PROFILE } from '../../../lib/runtime/seccomp/default-profile.js';
import { PRECOMPILED_SECCOMP } from '../../../lib/runtime/seccomp/precompiled.js';
import { resolveProfile } from '../../../lib/runtime/seccomp/profile.js';
import { seccompProgram } from '../../../lib/runtime/seccomp/program.js';

const STALE = 'stale: run `npx tsc -p . && node scripts/gen-seccomp-programs.mjs`';

test('every precompiled program is what the compiler makes of its profile today', () => {
  assert.is(PRECOMPILED_SECCOMP.length, 2);
  for (const entry of PRECOMPILED_SECCOMP) {
    const compiled = compileSeccomp(JSON.parse(entry.seccomp), hostArch(entry.nodeArch));
    assert.is(compiled.toString('base64'), entry.program, `${entry.nodeArch} program ${STALE}`);
  }
});

test('the default profile with Docker\'s capabilities, as config.json carries it, is precompiled', () => {
  for (const nodeArch of ['x64', 'arm64']) {
    const arch = hostArch(nodeArch);
    const seccomp = resolveProfile(DEFAULT_PROFILE, { capabilities: DEFAULT_CAPABILITIES, arch, kernelRelease: '6.18.0' });
    const fromConfig = JSON.parse(JSON.stringify({ linux: { seccomp } })).linux.seccomp;
    const entry = PRECOMPILED_SECCOMP.find((candidate) => candidate.nodeArch === nodeArch);
    assert.is(JSON.stringify(fromConfig), entry?.seccomp, `${nodeArch} profile ${STALE}`);
  }
});

test('seccompProgram returns the precompiled program, and compiles any other profile', async () => {
  const arch = hostArch('x64');
  const defaults = resolveProfile(DEFAULT_PROFILE, { capabilities: DEFAULT_CAPABILITIES, arch });
  assert.equal(await seccompProgram(defaults, 'x64'), compileSeccomp(defaults, arch));
  const admin = resolveProfile(DEFAULT_PROFILE, { capabilities: [...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN'], arch });
  const program = await seccompProgram(admin, 'x64');
  assert.equal(program, compileSeccomp(admin, arch));
  assert.is.not(program.toString('base64'), PRECOMPILED_SECCOMP[0].program);
});

test.run();
