// `rootless login [-u USER] [-p PASS | --password-stdin] [--tls-verify] [REGISTRY]`, as docker/podman login.
import type { CommandModule } from 'yargs';

interface LoginArguments {
  registry?: string;
  username?: string;
  password?: string;
  passwordStdin?: boolean;
  tlsVerify?: boolean;
}

export const loginCommand: CommandModule<object, LoginArguments> = {
  command: 'login [registry]',
  describe: 'Log in to a registry; the credentials are checked, then stored for pulls',
  builder: (yargs) =>
    yargs
      .positional('registry', { type: 'string', describe: 'Registry host[:port] (default docker.io)' })
      .option('username', { alias: 'u', type: 'string', describe: 'Username' })
      .option('password', { alias: 'p', type: 'string', describe: 'Password (visible to other users; prefer --password-stdin)' })
      .option('password-stdin', { type: 'boolean', describe: 'Read the password from standard input' })
      .option('tls-verify', { type: 'boolean', describe: 'Require HTTPS with a verified certificate (false: allow plain HTTP and any certificate)' }),
  handler: async (argv) => {
    const { login } = await import('../../image/login.js');
    await login(argv);
  },
};
