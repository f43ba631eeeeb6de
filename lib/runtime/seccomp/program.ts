// What stage 2 calls: the BPF program for config.json's `linux.seccomp`. The default profile comes
// precompiled: loading and running the compiler cold in a fresh process costs several
// milliseconds, so it is imported only for another profile.
import { PRECOMPILED_SECCOMP } from './precompiled.js';
import type { LinuxSeccomp } from './profile.js';

/** Await this before pivot_root: a profile that is not precompiled imports the compiler from lib/. */
export async function seccompProgram(seccomp: LinuxSeccomp, nodeArch: string = process.arch): Promise<Buffer> {
  const json = JSON.stringify(seccomp);
  const stored = PRECOMPILED_SECCOMP.find((entry) => entry.nodeArch === nodeArch && entry.seccomp === json);
  if (stored) return Buffer.from(stored.program, 'base64');
  const [{ compileSeccomp }, { hostArch }] = await Promise.all([import('./compile.js'), import('./arch.js')]);
  return compileSeccomp(seccomp, hostArch(nodeArch));
}
