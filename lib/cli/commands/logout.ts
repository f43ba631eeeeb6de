// `rootless logout REGISTRY` / `rootless logout --all`, as docker/podman logout.
import type { CommandModule } from 'yargs';

interface LogoutArguments {
  registry?: string;
  all?: boolean;
}

export const logoutCommand: CommandModule<object, LogoutArguments> = {
  command: 'logout [registry]',
  describe: 'Remove the stored credentials of a registry',
  builder: (yargs) =>
    yargs
      .positional('registry', { type: 'string', describe: 'Registry host[:port]' })
      .option('all', { alias: 'a', type: 'boolean', describe: 'Remove the credentials of every registry' }),
  handler: async (argv) => {
    const { logout } = await import('../../image/login.js');
    logout(argv);
  },
};
