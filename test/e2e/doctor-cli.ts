// Runs this worktree's bin/rootless with a chosen environment, optionally as another user
// through runuser (root tests), and returns what it printed.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const rootlessBin = path.join(repoRoot, 'bin', 'rootless');

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Replaces the environment entirely. */
  env: NodeJS.ProcessEnv;
  /** Run through `runuser -u USER` (root only). */
  user?: string;
  /** A command prefix run first (as root), e.g. `unshare --mount … sh -c 'setup; exec "$@"' sh`. */
  wrap?: string[];
}

export async function runRootless(args: string[], options: RunOptions): Promise<CliResult> {
  return runAs([process.execPath, rootlessBin, ...args], options);
}

/** The diagnosis `rootless run` would print, computed in a process of its own. */
export async function firstRunDiagnosisOf(options: RunOptions): Promise<string> {
  const checks = path.join(repoRoot, 'dist', 'lib', 'doctor', 'checks.js');
  const script = `const { firstRunDiagnosis } = await import(${JSON.stringify(checks)}); console.log((await firstRunDiagnosis()) ?? 'none');`;
  const result = await runAs([process.execPath, '--input-type=module', '-e', script], options);
  if (result.exitCode !== 0) throw new Error(result.stderr);
  return result.stdout.trim();
}

export async function runAs(command: string[], options: RunOptions): Promise<CliResult> {
  const asUser = options.user ? ['runuser', '-u', options.user, '--'] : [];
  const envArgs = ['env', '-i', ...Object.entries(options.env).map(([key, value]) => `${key}=${value}`)];
  const [file, ...rest] = [...(options.wrap ?? []), ...asUser, ...envArgs, ...command];
  const result = await execa(file!, rest, { reject: false, stdin: 'ignore', timeout: 60_000 });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** The doctor line of one check, by its title. */
export function doctorLine(stdout: string, title: string): string {
  const line = stdout.split('\n').find((text) => text.slice(5).startsWith(`${title}:`));
  if (!line) throw new Error(`no "${title}" line in:\n${stdout}`);
  return line;
}
