// Every CLI command, one module each. A command module holds flags only and imports its
// implementation lazily, so `rootless run` does not pay for the image side's modules.
import type { CommandModule } from 'yargs';
import { runCommandModule } from './run.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [runCommandModule];
