// A classic-BPF interpreter for the seccomp subset (ld [k], and #k, jeq/jgt/jge/jset #k, ja, ret #k):
// runs a compiled filter against a synthetic struct seccomp_data, as the kernel would.
export interface SeccompData {
  nr: number;
  arch: number;
  args?: Array<number | bigint>;
}

export function seccompData({ nr, arch, args = [] }: SeccompData): Buffer {
  const data = Buffer.alloc(64);
  data.writeInt32LE(nr, 0);
  data.writeUInt32LE(arch, 4);
  args.forEach((arg, i) => data.writeBigUInt64LE(BigInt(arg), 16 + 8 * i));
  return data;
}

/** The program's return value for `data`; throws on anything the kernel's checker would refuse. */
export function runFilter(program: Buffer, data: Buffer): number {
  const count = program.length / 8;
  let a = 0;
  for (let pc = 0, steps = 0; pc < count; pc += 1, steps += 1) {
    if (steps > count) throw new Error('BPF program loops');
    const code = program.readUInt16LE(pc * 8);
    const jt = program.readUInt8(pc * 8 + 2);
    const jf = program.readUInt8(pc * 8 + 3);
    const k = program.readUInt32LE(pc * 8 + 4);
    switch (code) {
      case 0x20: a = data.readUInt32LE(k); break;
      case 0x54: a = (a & k) >>> 0; break;
      case 0x05: pc += k; break;
      case 0x15: pc += a === k ? jt : jf; break;
      case 0x25: pc += a > k ? jt : jf; break;
      case 0x35: pc += a >= k ? jt : jf; break;
      case 0x45: pc += (a & k) !== 0 ? jt : jf; break;
      case 0x06: return k;
      default: throw new Error(`unknown BPF opcode 0x${code.toString(16)} at ${pc}`);
    }
  }
  throw new Error('BPF program ran off its end');
}
