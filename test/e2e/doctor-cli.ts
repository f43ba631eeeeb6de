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

/** `env` replaces the environment entirely; `user` runs through `runuser -u USER` (root only). */
export async function runRootless(args: string[], options: { env: NodeJS.ProcessEnv; user?: string; wrap?: string[] }): Promise<CliResult> {
  const command = [process.execPath, rootlessBin, ...args];
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
