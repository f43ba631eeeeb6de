import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BpfAssembler } from '../../../lib/runtime/seccomp/bpf.js';
import { runFilter, seccompData } from './bpf-interpreter.js';

function hex(buffer: Buffer): string {
  return buffer.toString('hex').replace(/(.{16})/g, '$1 ').trim();
}

test('allow-all is the single instruction ret #0x7fff0000', () => {
  const program = new BpfAssembler().ret(0x7fff0000).assemble();
  assert.is(hex(program), '060000000000ff7f');
});

test('arch check: ld [4]; jeq #AUDIT_ARCH_X86_64, 1, 0; ret KILL_PROCESS; ret ALLOW', () => {
  const asm = new BpfAssembler();
  const ok = asm.newLabel('ok');
  asm.load(4).jump('eq', 0xc000003e, ok).ret(0x80000000).place(ok).ret(0x7fff0000);
  assert.is(hex(asm.assemble()), [
    '2000000004000000', // ld [4]
    '150001003e0000c0', // jeq #0xc000003e, jt 1, jf 0
    '0600000000000080', // ret #0x80000000
    '060000000000ff7f', // ret #0x7fff0000
  ].join(' '));
});

test('syscall number compare, and/jset/jge/jgt/ja encodings', () => {
  const asm = new BpfAssembler();
  const end = asm.newLabel('end');
  const skip = asm.newLabel('skip');
  asm.load(0).jump('eq', 246, null, skip).ret(0x00050001).place(skip)
    .load(16).and(0x10000000).jump('set', 0x40000000, end).jump('ge', 7, end).jump('gt', 8, null, end).ja(end)
    .place(end).ret(0x7fff0000);
  assert.is(hex(asm.assemble()), [
    '2000000000000000', // ld [0]
    '15000001f6000000', // jeq #246, 0, 1 (246 = kexec_load on x86_64)
    '0600000001000500', // ret ERRNO(1)
    '2000000010000000', // ld [16]
    '5400000000000010', // and #0x10000000
    '4500030000000040', // jset #0x40000000, 3, 0
    '3500020007000000', // jge #7, 2, 0
    '2500000108000000', // jgt #8, 0, 1
    '0500000000000000', // ja +0
    '060000000000ff7f', // ret ALLOW
  ].join(' '));
});

test('a label that is never placed is an error, not garbage', () => {
  const asm = new BpfAssembler();
  asm.load(0).jump('eq', 1, asm.newLabel('nowhere')).ret(0);
  assert.throws(() => asm.assemble(), /never placed/);
});

test('a jump past 255 instructions goes through a ja trampoline and still lands right', () => {
  const asm = new BpfAssembler();
  const far = asm.newLabel('far');
  asm.load(0).jump('eq', 1, far, null);
  for (let i = 0; i < 300; i += 1) asm.ret(0x00050000 + (i % 100)); // 300 filler instructions
  asm.place(far).ret(0x7fff0000);
  const program = asm.assemble();
  assert.is(program.length / 8, 1 + 2 + 300 + 1);
  assert.is(hex(program.subarray(8, 24)), '1500000101000000 050000002c010000'); // jeq #1, 0, 1; ja +300
  assert.is(runFilter(program, seccompData({ nr: 1, arch: 0 })), 0x7fff0000);
  assert.is(runFilter(program, seccompData({ nr: 2, arch: 0 })), 0x00050000);
});

test('both targets far: jt 0 and jf 1 reach two trampolines', () => {
  const asm = new BpfAssembler();
  const yes = asm.newLabel('yes');
  const no = asm.newLabel('no');
  asm.load(0).jump('ge', 10, yes, no);
  for (let i = 0; i < 256; i += 1) asm.ret(0);
  asm.place(no).ret(1).place(yes).ret(2);
  const program = asm.assemble();
  assert.is(hex(program.subarray(8, 32)), '350000010a000000 0500000002010000 0500000000010000');
  assert.is(runFilter(program, seccompData({ nr: 11, arch: 0 })), 2);
  assert.is(runFilter(program, seccompData({ nr: 9, arch: 0 })), 1);
});

test('backward jumps and over-long programs are refused', () => {
  const asm = new BpfAssembler();
  const back = asm.newLabel('back');
  asm.place(back).load(0).ja(back);
  assert.throws(() => asm.assemble(), /backwards/);
  const long = new BpfAssembler();
  for (let i = 0; i < 4097; i += 1) long.ret(0);
  assert.throws(() => long.assemble(), /4096/);
  assert.throws(() => new BpfAssembler().ret(-1), /unsigned 32-bit/);
});

test.run();
