// `rootless container SUBCOMMAND`: prune, and the podman-style aliases ls, rm, inspect, …
import type { CommandModule } from 'yargs';
import { inspectCommand } from './inspect.js';
import { killCommand } from './kill.js';
import { logsCommand } from './logs.js';
import { psCommand } from './ps.js';
import { restartCommand } from './restart.js';
import { rmCommand } from './rm.js';
import { startCommand } from './start.js';
import { stopCommand } from './stop.js';
import { topCommand } from './top.js';
import { waitCommand } from './wait.js';

const pruneCommand: CommandModule<object, { force?: boolean }> = {
  command: 'prune',
  describe: 'Remove every container that is not running',
  builder: (yargs) => yargs.option('force', { alias: 'f', type: 'boolean', describe: 'Accepted for docker compatibility (no prompt is shown)' }),
  handler: async () => {
    const { pruneContainers } = await import('../../container/remove.js');
    process.stdout.write((await pruneContainers()).map((id) => `${id}\n`).join(''));
  },
};

export const containerCommand: CommandModule = {
  command: 'container',
  describe: 'Manage containers',
  builder: (yargs) =>
    yargs
      .command(pruneCommand)
      .command({ ...psCommand, command: 'ls', aliases: ['list', 'ps'] })
      .command(inspectCommand)
      .command(killCommand)
      .command(logsCommand)
      .command(restartCommand)
      .command(rmCommand)
      .command(startCommand)
      .command(stopCommand)
      .command(topCommand)
      .command(waitCommand)
      .demandCommand(1, 'Name a container subcommand; `rootless container --help` lists them.'),
  handler: () => undefined,
};
