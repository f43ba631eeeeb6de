// Every CLI command, one module each. A command module holds flags only and imports its
// implementation lazily, so `rootless run` does not pay for the image side's modules.
import type { CommandModule } from 'yargs';
import { loginCommand } from './login.js';
import { logoutCommand } from './logout.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [loginCommand, logoutCommand];
