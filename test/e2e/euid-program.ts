// A tiny static program for the setuid test: it exits with its effective uid (mod 256), so a
// setuid-root copy exits 0 unless no_new_privs made the kernel ignore the bit. Hand-assembled
// (geteuid; exit) because busybox drops setuid privileges itself and the image has no compiler.
import { writeFileSync } from 'node:fs';

const programs: Partial<Record<string, { machine: number; code: string }>> = {
  // mov eax, 107 (geteuid); syscall; mov edi, eax; mov eax, 60 (exit); syscall
  x64: { machine: 62, code: 'b86b0000000f0589c7b83c0000000f05' },
  // mov x8, #175 (geteuid); svc #0; mov x8, #93 (exit); svc #0   (the result is already in x0)
  arm64: { machine: 183, code: 'e81580d2010000d4a80b80d2010000d4' },
};

const LOAD_ADDRESS = 0x400000;
const HEADERS = 64 + 56; // ELF64 header + one program header

/** Writes the program for this host's arch to `file`; false when there is none for it. */
export function writeEuidProgram(file: string, nodeArch: string = process.arch): boolean {
  const program = programs[nodeArch];
  if (!program) return false;
  const code = Buffer.from(program.code, 'hex');
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
