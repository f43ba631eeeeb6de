import type { CommandModule } from 'yargs';

interface PortArgs {
  container: string;
  privatePort?: string;
}

export const portCommand: CommandModule<object, PortArgs> = {
  command: 'port <container> [privatePort]',
  describe: "List a running container's published ports",
  builder: (yargs) =>
    yargs
      .positional('container', { type: 'string', demandOption: true, describe: 'container name or id' })
      .positional('privatePort', { type: 'string', describe: 'only this container port: PORT[/tcp|/udp]' }),
  handler: async (args) => {
    const [{ findContainer }, { portLines }] = await Promise.all([import('../../container/lookup.js'), import('../../container/ports.js')]);
    const lines = portLines(findContainer(args.container), args.privatePort);
    if (lines.length) process.stdout.write(lines.join('\n') + '\n');
  },
};
