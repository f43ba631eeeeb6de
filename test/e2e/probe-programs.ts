// Tiny static programs for the escape tests, hand-assembled because the image has no compiler and
// its busybox lacks the tools (and drops setuid privileges itself):
// - euid: exits with its effective uid (mod 256), so a setuid-root copy exits 0 unless
//   no_new_privs made the kernel ignore the bit;
// - keyctl: keyctl(KEYCTL_JOIN_SESSION_KEYRING, NULL), a new kernel keyring; exits 0 when the
//   kernel made it, else with the errno (1, EPERM, under the default seccomp profile).
import { writeFileSync } from 'node:fs';

type ProbeName = 'euid' | 'keyctl';
type ArchPrograms = Record<ProbeName, string>;

const programs: Partial<Record<string, { machine: number; code: ArchPrograms }>> = {
  x64: {
    machine: 62,
    code: {
      // mov eax, 107 (geteuid); syscall; mov edi, eax; mov eax, 60 (exit); syscall
      euid: 'b86b0000000f0589c7b83c0000000f05',
      // mov eax, 250 (keyctl); mov edi, 1; xor esi, esi; syscall; test rax, rax; jns +6;
      // neg eax; mov edi, eax; jmp +2; xor edi, edi; mov eax, 60 (exit); syscall
      keyctl: 'b8fa000000bf0100000031f60f054885c07906f7d889c7eb0231ffb83c0000000f05',
    },
  },
  arm64: {
    machine: 183,
    code: {
      // mov x8, #175 (geteuid); svc #0; mov x8, #93 (exit); svc #0   (the result is already in x0)
      euid: 'e81580d2010000d4a80b80d2010000d4',
      // mov x8, #219 (keyctl); mov x0, #1; mov x1, #0; svc #0; tbz x0, #63, +3;
      // neg x0, x0; b +2; mov x0, #0; mov x8, #93 (exit); svc #0
      keyctl: '681b80d2200080d2010080d2010000d46000f8b6e00300cb02000014000080d2a80b80d2010000d4',
    },
  },
};

const LOAD_ADDRESS = 0x400000;
const HEADERS = 64 + 56; // ELF64 header + one program header

/** Writes the probe for this host's arch to `file`; false when there is none for it. */
export function writeProbeProgram(name: ProbeName, file: string, nodeArch: string = process.arch): boolean {
  const program = programs[nodeArch];
  if (!program) return false;
  const code = Buffer.from(program.code[name], 'hex');
  const size = HEADERS + code.length;
  const elf = Buffer.alloc(size);
  Buffer.from('7f454c46020101', 'hex').copy(elf, 0); // magic, 64-bit, little-endian, version 1
  elf.writeUInt16LE(2, 16); // ET_EXEC
  elf.writeUInt16LE(program.machine, 18);
  elf.writeUInt32LE(1, 20);
  elf.writeBigUInt64LE(BigInt(LOAD_ADDRESS + HEADERS), 24); // entry: the code after the headers
  elf.writeBigUInt64LE(64n, 32); // program headers right after the ELF header
  elf.writeUInt16LE(64, 52);
  elf.writeUInt16LE(56, 54);
  elf.writeUInt16LE(1, 56);
  elf.writeUInt32LE(1, 64); // PT_LOAD of the whole file, R+X
  elf.writeUInt32LE(5, 68);
  elf.writeBigUInt64LE(BigInt(LOAD_ADDRESS), 80);
  elf.writeBigUInt64LE(BigInt(LOAD_ADDRESS), 88);
  elf.writeBigUInt64LE(BigInt(size), 96);
  elf.writeBigUInt64LE(BigInt(size), 104);
  elf.writeBigUInt64LE(0x1000n, 112);
  code.copy(elf, HEADERS);
  writeFileSync(file, elf, { mode: 0o755 });
  return true;
}
