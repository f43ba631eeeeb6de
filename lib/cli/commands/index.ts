// Every CLI command, one module each. A command module holds flags only and imports its
// implementation lazily, so `rootless run` does not pay for the image side's modules.
import type { CommandModule } from 'yargs';
import { containerCommand } from './container.js';
import { imageCommand } from './image.js';
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
import { doctorCommand } from './doctor.js';
import { execCommandModule } from './exec.js';
import { imagesCommand } from './images.js';
import { infoCommand } from './info.js';
import { loginCommand } from './login.js';
import { logoutCommand } from './logout.js';
import { portCommand } from './port.js';
import { pullCommand } from './pull.js';
import { rmiCommand } from './rmi.js';
import { runCommandModule } from './run.js';
import { tagCommand } from './tag.js';
import { unshareCommand } from './unshare.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [
  runCommandModule,
  execCommandModule,
  psCommand,
  logsCommand,
  stopCommand,
  killCommand,
  waitCommand,
  rmCommand,
  startCommand,
  restartCommand,
  inspectCommand,
  topCommand,
  containerCommand,
  pullCommand,
  imagesCommand,
  rmiCommand,
  tagCommand,
  imageCommand,
  loginCommand,
  logoutCommand,
  unshareCommand,
  portCommand,
  infoCommand,
  doctorCommand,
];
