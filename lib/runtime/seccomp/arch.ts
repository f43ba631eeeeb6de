// The architectures a filter can check: the audit value the kernel puts in seccomp_data.arch,
// the syscall table, and whether arguments are 64-bit. Hosts we run on: x86_64 and aarch64.
import { RootlessError } from '../../errors.js';
import { SYSCALLS_AARCH64, SYSCALLS_I386, SYSCALLS_X86_64 } from './syscalls.js';

export interface FilterArch {
  /** libseccomp's name, as in a profile's `architectures`. */
  name: string;
  /** AUDIT_ARCH_* from <linux/audit.h>. */
  audit: number;
  syscalls: ReadonlyMap<string, number>;
  /** Syscall arguments are 64-bit (compare both halves); 32-bit ABIs compare the low half only. */
  wideArgs: boolean;
  /** x86_64 only: the x32 ABI shares AUDIT_ARCH_X86_64 and marks its numbers with this bit. */
  x32Bit?: number;
}

export const X32_SYSCALL_BIT = 0x40000000;

export const FILTER_ARCHES: Readonly<Record<string, FilterArch>> = {
  SCMP_ARCH_X86_64: { name: 'SCMP_ARCH_X86_64', audit: 0xc000003e, syscalls: SYSCALLS_X86_64, wideArgs: true, x32Bit: X32_SYSCALL_BIT },
  SCMP_ARCH_X86: { name: 'SCMP_ARCH_X86', audit: 0x40000003, syscalls: SYSCALLS_I386, wideArgs: false },
  SCMP_ARCH_AARCH64: { name: 'SCMP_ARCH_AARCH64', audit: 0xc00000b7, syscalls: SYSCALLS_AARCH64, wideArgs: true },
};

export interface HostArch {
  /** The native filter architecture. */
  native: FilterArch;
  /** Compat ABIs this host can run and we have a table for. */
  compat: FilterArch[];
  /** Go's GOARCH name: what a Docker profile's `includes.arches` / `excludes.arches` match. */
  goarch: string;
}

const hostArches: Record<string, HostArch> = {
  x64: { native: FILTER_ARCHES.SCMP_ARCH_X86_64, compat: [FILTER_ARCHES.SCMP_ARCH_X86], goarch: 'amd64' },
  // 32-bit ARM (SCMP_ARCH_ARM) has no table here: its processes fail the arch check.
  arm64: { native: FILTER_ARCHES.SCMP_ARCH_AARCH64, compat: [], goarch: 'arm64' },
};

/** The host architecture by Node's name (`process.arch`). */
export function hostArch(nodeArch: string = process.arch): HostArch {
  const arch = hostArches[nodeArch];
  if (!arch) {
    throw new RootlessError(`seccomp filters are not supported on ${nodeArch}`, {
      remedy: 'Run with --security-opt seccomp=unconfined, or on x86_64 or aarch64',
    });
  }
  return arch;
}
