// A classic-BPF assembler for seccomp filters: the few instructions a filter needs, labels, and
// forward jumps of any length. Conditional jumps carry 8-bit offsets, so a jump further than 255
// instructions goes through a `ja` trampoline (32-bit offset) inserted right after it.

/** struct sock_filter: u16 code, u8 jt, u8 jf, u32 k; 8 bytes, little-endian. */
export const INSTRUCTION_SIZE = 8;
/** The kernel refuses longer programs (BPF_MAXINSNS). */
export const MAX_INSTRUCTIONS = 4096;

export const BPF = {
  LD_W_ABS: 0x20, // A = *(u32 *)(data + k)
  ALU_AND_K: 0x54, // A &= k
  JMP_JA: 0x05, // pc += k
  JMP_JEQ_K: 0x15,
  JMP_JGT_K: 0x25,
  JMP_JGE_K: 0x35,
  JMP_JSET_K: 0x45,
  RET_K: 0x06,
} as const;

export type Condition = 'eq' | 'gt' | 'ge' | 'set';

const conditionCodes: Record<Condition, number> = {
  eq: BPF.JMP_JEQ_K,
  gt: BPF.JMP_JGT_K,
  ge: BPF.JMP_JGE_K,
  set: BPF.JMP_JSET_K,
};

/** A place in the program; create with `newLabel`, fix with `place`. */
export interface Label {
  readonly name: string;
}

/** Where a conditional jump goes: a label, or `null` for the next instruction. */
export type Target = Label | null;

interface PlacedLabel extends Label {
  /** Instruction index, set by each layout pass; -1 until placed. */
  position: number;
}

/**
 * One shape for every statement (the assembler runs cold at container start, where monomorphic
 * objects and plain loops are what keeps it fast). `ja` keeps its target in `whenTrue`; a label
 * statement keeps its label there.
 */
interface Statement {
  kind: 'plain' | 'jump' | 'ja' | 'label';
  code: number;
  k: number;
  whenTrue: PlacedLabel | null;
  whenFalse: PlacedLabel | null;
  /** A conditional jump whose target is more than 255 instructions on: it gets `ja` trampolines. */
  far: boolean;
  /** Instruction index of the statement, set by each layout pass. */
  at: number;
}

export class BpfAssembler {
  private readonly statements: Statement[] = [];
  private labelCount = 0;

  newLabel(name = 'L'): Label {
    this.labelCount += 1;
    const label: PlacedLabel = { name: `${name}#${this.labelCount}`, position: -1 };
    return label;
  }

  place(label: Label): this {
    return this.add('label', 0, 0, label as PlacedLabel, null);
  }

  /** ld [k]: load the 32-bit word at offset k of struct seccomp_data. */
  load(offset: number): this {
    return this.add('plain', BPF.LD_W_ABS, u32(offset), null, null);
  }

  and(mask: number): this {
    return this.add('plain', BPF.ALU_AND_K, u32(mask), null, null);
  }

  ret(value: number): this {
    return this.add('plain', BPF.RET_K, u32(value), null, null);
  }

  /** jeq/jgt/jge/jset #k: unsigned compare of A with k. */
  jump(condition: Condition, k: number, whenTrue: Target, whenFalse: Target = null): this {
    return this.add('jump', conditionCodes[condition], u32(k), whenTrue as PlacedLabel | null, whenFalse as PlacedLabel | null);
  }

  ja(target: Label): this {
    return this.add('ja', BPF.JMP_JA, 0, target as PlacedLabel, null);
  }

  /** The program as struct sock_filter[]; throws on an unplaced label or a backward jump. */
  assemble(): Buffer {
    for (;;) {
      const length = this.layout();
      let grew = false;
      for (const statement of this.statements) {
        if (statement.kind !== 'jump' || statement.far) continue;
        if (distance(statement.whenTrue, statement.at) > 255 || distance(statement.whenFalse, statement.at) > 255) {
          statement.far = true;
          grew = true;
        }
      }
      if (!grew) return this.encode(length);
    }
  }

  private add(kind: Statement['kind'], code: number, k: number, whenTrue: PlacedLabel | null, whenFalse: PlacedLabel | null): this {
    this.statements.push({ kind, code, k, whenTrue, whenFalse, far: false, at: 0 });
    return this;
  }

  /** Sets every statement's and label's instruction index; a far jump takes 1 + one `ja` per label. */
  private layout(): number {
    let pc = 0;
    for (const statement of this.statements) {
      statement.at = pc;
      if (statement.kind === 'label') statement.whenTrue!.position = pc;
      else if (statement.far) pc += 1 + trampolineCount(statement);
      else pc += 1;
    }
    return pc;
  }

  private encode(length: number): Buffer {
    if (length > MAX_INSTRUCTIONS) {
      throw new Error(`BPF program has ${length} instructions, more than the kernel's ${MAX_INSTRUCTIONS}`);
    }
    const out = Buffer.alloc(length * INSTRUCTION_SIZE);
    const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
    let pc = 0;
    const emit = (code: number, jt: number, jf: number, k: number) => {
      const at = pc * INSTRUCTION_SIZE;
      view.setUint16(at, code, true);
      view.setUint8(at + 2, jt);
      view.setUint8(at + 3, jf);
      view.setUint32(at + 4, k, true);
      pc += 1;
    };
    const offset = (target: PlacedLabel | null) => {
      if (target === null) return 0;
      const jump = distance(target, pc);
      if (jump < 0) throw new Error(`BPF jump to ${target.name} goes backwards`);
      return jump;
    };
    for (const { kind, code, k, whenTrue, whenFalse, far } of this.statements) {
      if (kind === 'plain') emit(code, 0, 0, k);
      else if (kind === 'ja') emit(code, 0, 0, offset(whenTrue));
      else if (kind === 'jump' && !far) emit(code, offset(whenTrue), offset(whenFalse), k);
      else if (kind === 'jump') {
        // jxx k, jt → [ja whenTrue], jf → [ja whenFalse]; a null target skips past the trampolines.
        const count = trampolineCount({ whenTrue, whenFalse });
        emit(code, whenTrue ? 0 : count, whenFalse ? (whenTrue ? 1 : 0) : count, k);
        if (whenTrue) emit(BPF.JMP_JA, 0, 0, offset(whenTrue));
        if (whenFalse) emit(BPF.JMP_JA, 0, 0, offset(whenFalse));
      }
    }
    return out;
  }
}

/** Instructions from the one after `from` to `label`; 0 for the next instruction (`null`). */
function distance(label: PlacedLabel | null, from: number): number {
  if (label === null) return 0;
  if (label.position < 0) throw new Error(`BPF label ${label.name} is never placed`);
  return label.position - from - 1;
}

function trampolineCount(statement: { whenTrue: Target; whenFalse: Target }): number {
  return (statement.whenTrue ? 1 : 0) + (statement.whenFalse ? 1 : 0);
}

function u32(value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RangeError(`BPF constant ${value} is not an unsigned 32-bit integer`);
  }
  return value;
}
