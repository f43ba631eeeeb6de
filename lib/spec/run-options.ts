// `rootless run` flags: one table feeds both the parser (flag-parser.ts) and the yargs command
// module, which only serves --help. Parsing stops at the image name.
import { RootlessError } from '../errors.js';
import { parseFlags, type CommandFlag } from './flag-parser.js';
import { defaultSecurityRunOptions, securityRunFlags, type SecurityRunOptions } from './security-flags.js';
import { defaultUsernsRunOptions, usernsRunFlags, type UsernsRunOptions } from './userns.js';

export type PullPolicy = 'missing' | 'always' | 'never';

export interface RunOptions extends SecurityRunOptions, UsernsRunOptions {
  image: string;
  command: string[];
  rm: boolean;
  /** `-d`: print the id and leave the container running in the background. */
  detach: boolean;
  interactive: boolean;
  /** Give the container a terminal of its own (`-t`), attached to this one. */
  tty: boolean;
  /** Run an init (catatonit or tini-static) as PID 1 in front of the command. */
  init: boolean;
  env: string[];
  envFile: string[];
  workdir?: string;
  user?: string;
  entrypoint?: string;
  hostname?: string;
  name?: string;
  volume: string[];
  tmpfs: string[];
  pull: PullPolicy;
  /** The --network value as given (lib/net's parseNetwork reads it); undefined: the default, private. */
  network?: string;
  publish: string[];
  publishAll: boolean;
}

export type RunFlag = CommandFlag<RunOptions>;

export const runFlags: readonly RunFlag[] = [
  { name: 'rm', key: 'rm', type: 'boolean', describe: 'Remove the container (its writable layer and state) when it exits' },
  { name: 'detach', key: 'detach', alias: 'd', type: 'boolean', describe: "Run in the background and print the container's id" },
  { name: 'interactive', key: 'interactive', alias: 'i', type: 'boolean', describe: 'Keep stdin connected to the container' },
  { name: 'tty', key: 'tty', alias: 't', type: 'boolean', describe: "Give the command a terminal of the container's own (with -i, yours is in raw mode for the session)" },
  { name: 'init', key: 'init', type: 'boolean', describe: 'Run an init as PID 1 that reaps zombies and forwards signals (catatonit or tini-static)' },
  { name: 'env', key: 'env', alias: 'e', type: 'array', describe: 'Set an environment variable: KEY=VALUE, or KEY to copy it from this shell' },
  { name: 'env-file', key: 'envFile', type: 'array', describe: 'Read environment variables from a file (KEY=VALUE lines)' },
  { name: 'workdir', key: 'workdir', alias: 'w', type: 'string', describe: 'Working directory inside the container (created if missing)' },
  { name: 'user', key: 'user', alias: 'u', type: 'string', describe: 'Run as USER[:GROUP] (names or numeric ids of the container)' },
  { name: 'entrypoint', key: 'entrypoint', type: 'string', describe: "Override the image's entrypoint ('' clears it)" },
  { name: 'hostname', key: 'hostname', type: 'string', describe: "The container's host name" },
  { name: 'name', key: 'name', type: 'string', describe: 'A name for the container' },
  { name: 'volume', key: 'volume', alias: 'v', type: 'array', describe: 'Bind-mount a host directory or file: HOST:CONTAINER[:OPTIONS], options ro, rw, idmap (owners as on disk; root, or a filesystem mounted in the namespace)' },
  { name: 'tmpfs', key: 'tmpfs', type: 'array', describe: 'Mount a tmpfs: PATH[:OPTIONS]' },
  { name: 'pull', key: 'pull', type: 'string', choices: ['missing', 'always', 'never'], describe: 'When to pull the image' },
  {
    name: 'network',
    key: 'network',
    alias: 'net',
    type: 'string',
    describe: "Network: private (default: pasta where installed, else slirp4netns), pasta[:OPTIONS], slirp4netns[:OPTIONS], none (loopback only) or host (the host's)",
  },
  { name: 'publish', key: 'publish', alias: 'p', type: 'array', describe: 'Publish a container port on the host: [HOSTIP:][HOSTPORT:]CONTAINERPORT[/udp]' },
  { name: 'publish-all', key: 'publishAll', alias: 'P', type: 'boolean', describe: 'Publish every port the image exposes on a free host port' },
  ...securityRunFlags,
  ...usernsRunFlags,
];

function defaultRunOptions(): Omit<RunOptions, 'image'> {
  return { command: [], rm: false, detach: false, interactive: false, tty: false, init: false, env: [], envFile: [], volume: [], tmpfs: [], pull: 'missing', publish: [], publishAll: false, ...defaultSecurityRunOptions(), ...defaultUsernsRunOptions() };
}

/** Parses the arguments after `run`. */
export function parseRunArgs(args: string[]): RunOptions {
  const options: Record<string, unknown> = defaultRunOptions();
  const index = parseFlags(args, runFlags, options, 'run');
  const image = args[index];
  if (image === undefined) throw new RootlessError('`rootless run` needs an image name', { remedy: 'See `rootless run --help`' });
  return { ...(options as Omit<RunOptions, 'image'>), image, command: args.slice(index + 1) };
}

export { wantsHelp } from './flag-parser.js';
