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

type Statement =
  | { kind: 'plain'; code: number; k: number }
  | { kind: 'jump'; code: number; k: number; whenTrue: Target; whenFalse: Target }
  | { kind: 'ja'; target: Label }
  | { kind: 'label'; label: Label };

export class BpfAssembler {
  private readonly statements: Statement[] = [];
  private labelCount = 0;

  newLabel(name = 'L'): Label {
    this.labelCount += 1;
    return { name: `${name}#${this.labelCount}` };
  }

  place(label: Label): this {
    this.statements.push({ kind: 'label', label });
    return this;
  }

  /** ld [k]: load the 32-bit word at offset k of struct seccomp_data. */
  load(offset: number): this {
    return this.plain(BPF.LD_W_ABS, offset);
  }

  and(mask: number): this {
    return this.plain(BPF.ALU_AND_K, mask);
  }

  ret(value: number): this {
    return this.plain(BPF.RET_K, value);
  }

  /** jeq/jgt/jge/jset #k: unsigned compare of A with k. */
  jump(condition: Condition, k: number, whenTrue: Target, whenFalse: Target = null): this {
    this.statements.push({ kind: 'jump', code: conditionCodes[condition], k: u32(k), whenTrue, whenFalse });
    return this;
  }

  ja(target: Label): this {
    this.statements.push({ kind: 'ja', target });
    return this;
  }

  /** The program as struct sock_filter[]; throws on an unplaced label or a backward jump. */
  assemble(): Buffer {
    const far = new Set<number>(); // statements whose conditional jumps need trampolines
    for (;;) {
      const layout = this.layout(far);
      let grew = false;
      this.statements.forEach((statement, index) => {
        if (statement.kind !== 'jump' || far.has(index)) return;
        const at = layout.positions[index];
        const tooFar = [statement.whenTrue, statement.whenFalse].some(
          (target) => target !== null && layout.labelPosition(target) - at - 1 > 255,
        );
        if (tooFar) {
          far.add(index);
          grew = true;
        }
      });
      if (!grew) return this.encode(layout, far);
    }
  }

  private plain(code: number, k: number): this {
    this.statements.push({ kind: 'plain', code, k: u32(k) });
    return this;
  }

  /** Instruction index of every statement; a far jump takes 1 + one `ja` per labelled target. */
  private layout(far: Set<number>) {
    const positions: number[] = [];
    const labels = new Map<Label, number>();
    let pc = 0;
    this.statements.forEach((statement, index) => {
      positions.push(pc);
      if (statement.kind === 'label') labels.set(statement.label, pc);
      else if (statement.kind === 'jump' && far.has(index)) pc += 1 + trampolineCount(statement);
      else pc += 1;
    });
    const labelPosition = (label: Label): number => {
      const position = labels.get(label);
      if (position === undefined) throw new Error(`BPF label ${label.name} is never placed`);
      return position;
    };
    return { positions, labelPosition, length: pc };
  }

  private encode(layout: ReturnType<BpfAssembler['layout']>, far: Set<number>): Buffer {
    if (layout.length > MAX_INSTRUCTIONS) {
      throw new Error(`BPF program has ${layout.length} instructions, more than the kernel's ${MAX_INSTRUCTIONS}`);
    }
    const out = Buffer.alloc(layout.length * INSTRUCTION_SIZE);
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
    const offset = (target: Label) => {
      const distance = layout.labelPosition(target) - pc - 1;
      if (distance < 0) throw new Error(`BPF jump to ${target.name} goes backwards`);
      return distance;
    };
    this.statements.forEach((statement, index) => {
      if (statement.kind === 'plain') emit(statement.code, 0, 0, statement.k);
      else if (statement.kind === 'ja') emit(BPF.JMP_JA, 0, 0, offset(statement.target));
      else if (statement.kind === 'jump' && !far.has(index)) {
        const jt = statement.whenTrue ? offset(statement.whenTrue) : 0;
        const jf = statement.whenFalse ? offset(statement.whenFalse) : 0;
        emit(statement.code, jt, jf, statement.k);
      } else if (statement.kind === 'jump') {
        // jxx k, jt → [ja whenTrue], jf → [ja whenFalse]; a null target skips past the trampolines.
        const count = trampolineCount(statement);
        const { whenTrue, whenFalse } = statement;
        const jt = whenTrue ? 0 : count;
        const jf = whenFalse ? (whenTrue ? 1 : 0) : count;
        emit(statement.code, jt, jf, statement.k);
        if (whenTrue) emit(BPF.JMP_JA, 0, 0, offset(whenTrue));
        if (whenFalse) emit(BPF.JMP_JA, 0, 0, offset(whenFalse));
      }
    });
    return out;
  }
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
