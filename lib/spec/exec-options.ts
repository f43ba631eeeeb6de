// `rootless exec` flags (docker exec's): one table for the parser and for --help.
import { RootlessError } from '../errors.js';
import { parseFlags, type CommandFlag } from './flag-parser.js';

export interface ExecOptions {
  container: string;
  command: string[];
  interactive: boolean;
  tty: boolean;
  env: string[];
  envFile: string[];
  user?: string;
  workdir?: string;
  privileged: boolean;
}

export const execFlags: readonly CommandFlag<ExecOptions>[] = [
  { name: 'interactive', key: 'interactive', alias: 'i', type: 'boolean', describe: 'Keep stdin connected to the command' },
  { name: 'tty', key: 'tty', alias: 't', type: 'boolean', describe: "Give the command a terminal of the container's own (with -i, yours is in raw mode for the session)" },
  { name: 'env', key: 'env', alias: 'e', type: 'array', describe: 'Set an environment variable: KEY=VALUE, or KEY to copy it from this shell' },
  { name: 'env-file', key: 'envFile', type: 'array', describe: 'Read environment variables from a file (KEY=VALUE lines)' },
  { name: 'user', key: 'user', alias: 'u', type: 'string', describe: "Run as USER[:GROUP] (names or numeric ids of the container); default: the container's user" },
  { name: 'workdir', key: 'workdir', alias: 'w', type: 'string', describe: "Working directory inside the container; default: the container's" },
  { name: 'privileged', key: 'privileged', type: 'boolean', describe: 'Every capability of the user namespace for this command (the seccomp filter stays)' },
];

const remedy = 'See `rootless exec --help`';

/** Parses the arguments after `exec`. */
export function parseExecArgs(args: string[]): ExecOptions {
  const options: Record<string, unknown> = { interactive: false, tty: false, env: [], envFile: [], privileged: false };
  const index = parseFlags(args, execFlags, options, 'exec');
  const container = args[index];
  const command = args.slice(index + 1);
  if (container === undefined) throw new RootlessError('`rootless exec` needs a container name or id', { remedy });
  if (command.length === 0) throw new RootlessError('`rootless exec` needs a command to run in the container', { remedy: 'Name it after the container: rootless exec CONTAINER COMMAND' });
  const workdir = options.workdir as string | undefined;
  if (workdir !== undefined && !workdir.startsWith('/')) {
    throw new RootlessError(`the working directory "${workdir}" is not an absolute path`, { remedy: 'Give -w an absolute path such as /app' });
  }
  return { ...(options as Omit<ExecOptions, 'container' | 'command'>), container, command };
}
