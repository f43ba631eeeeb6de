// Small, failure-tolerant readers: a missing file or knob is an answer, not an error.
import { accessSync, constants, readFileSync } from 'node:fs';
import { execa } from 'execa';
import { parseMountInfo, type MountEntry } from './parse.js';

export function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Whether this process may write `path` (a file, or a directory to create files in). */
export function isWritable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** A number from a /proc/sys knob; null when the knob does not exist on this kernel. */
export function readNumber(path: string): number | null {
  const text = readText(path)?.trim();
  return text && /^-?\d+$/.test(text) ? Number(text) : null;
}

export function readMounts(): MountEntry[] {
  return parseMountInfo(readText('/proc/self/mountinfo') ?? '');
}

export interface CommandOutcome {
  ok: boolean;
  /** stdout and stderr together, trimmed. */
  output: string;
  /** The first line worth showing: stderr's, or execa's short message when it could not start. */
  error: string;
}

/** Runs a helper with a bounded wait; never throws. */
export async function runCommand(file: string, args: string[], timeout = 5000): Promise<CommandOutcome> {
  const result = await execa(file, args, { reject: false, stdin: 'ignore', all: true, timeout, env: { LC_ALL: 'C' } });
  const output = String(result.all ?? '').trim();
  const said = String(result.stderr ?? '').trim().split('\n')[0] || result.shortMessage || '';
  return { ok: result.exitCode === 0, output, error: said };
}
