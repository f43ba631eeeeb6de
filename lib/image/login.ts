// `rootless login` and `rootless logout`: credentials are checked against the registry before they
// are stored, and removed only from the file rootless writes (Docker's own file is left alone).
import readline from 'node:readline/promises';
import { RootlessError } from '../errors.js';
import { authFileWritePath, removeAllCredentials, removeCredentials, storeCredentials } from './auth.js';
import { DOCKER_HUB, isValidRegistryHost, normalizeRegistry } from './reference.js';
import { verifyCredentials } from './registry.js';

export interface LoginOptions {
  registry?: string;
  username?: string;
  password?: string;
  passwordStdin?: boolean;
  tlsVerify?: boolean;
}

/** "https://index.docker.io/v1/" → "docker.io", "127.0.0.1:5000/" → "127.0.0.1:5000". */
export function loginTarget(text: string | undefined): string {
  if (text === undefined || text === '') return DOCKER_HUB;
  const host = text.replace(/^https?:\/\//i, '').replace(/\/.*$/, '');
  if (!isValidRegistryHost(host)) {
    throw new RootlessError(`invalid registry "${text}"`, { remedy: 'Name a registry host, e.g. docker.io, quay.io or 127.0.0.1:5000' });
  }
  return normalizeRegistry(host);
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

async function askLine(question: string): Promise<string> {
  const prompt = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await prompt.question(question)).trim();
  } finally {
    prompt.close();
  }
}

/** Reads a line from the terminal without echoing it. */
function askHidden(question: string): Promise<string> {
  const input = process.stdin;
  process.stderr.write(question);
  input.setRawMode(true);
  input.setEncoding('utf8');
  input.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (): void => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
    };
    const onData = (chunk: string): void => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n' || char === '\u0004') {
          finish();
          return resolve(value);
        }
        if (char === '\u0003') {
          finish();
          return reject(new RootlessError('login cancelled', { exitCode: 130 }));
        }
        value = char === '\u007f' || char === '\b' ? value.slice(0, -1) : value + char;
      }
    };
    input.on('data', onData);
  });
}

async function credentialsFrom(options: LoginOptions, registry: string): Promise<{ username: string; password: string }> {
  const interactive = process.stdin.isTTY === true;
  if (options.passwordStdin && options.password !== undefined) {
    throw new RootlessError('--password and --password-stdin cannot be used together', { remedy: 'Pass the password one way' });
  }
  let username = options.username;
  if (username === undefined && !options.passwordStdin && interactive) username = await askLine(`Username for ${registry}: `);
  if (!username) throw new RootlessError('a username is required', { remedy: 'Pass -u USER' });

  let password = options.password;
  if (options.passwordStdin) password = (await readAll(process.stdin)).replace(/\r?\n$/, '');
  else if (password === undefined && interactive) password = await askHidden('Password: ');
  else if (password !== undefined) process.stderr.write('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
  if (!password) throw new RootlessError('a password is required', { remedy: 'Pass --password-stdin and the password on standard input, or run on a terminal to be asked' });
  return { username, password };
}

export async function login(options: LoginOptions): Promise<void> {
  const registry = loginTarget(options.registry);
  const credentials = await credentialsFrom(options, registry);
  await verifyCredentials(registry, credentials, { tlsVerify: options.tlsVerify });
  storeCredentials(registry, credentials);
  process.stdout.write('Login Succeeded!\n');
}

export function logout(options: { registry?: string; all?: boolean }): void {
  if (options.all) {
    removeAllCredentials();
    process.stdout.write('Removed login credentials for all registries\n');
    return;
  }
  if (!options.registry) throw new RootlessError('name the registry to log out of', { remedy: 'Run `rootless logout REGISTRY`, or `rootless logout --all`' });
  const registry = loginTarget(options.registry);
  const { removed, elsewhere } = removeCredentials(registry);
  if (!removed && elsewhere) {
    throw new RootlessError(`not logged in to ${registry} with rootless; the credentials in use come from ${elsewhere}`, {
      remedy: `Remove them there (for Docker's file: \`docker logout ${registry}\`)`,
    });
  }
  if (!removed) throw new RootlessError(`not logged in to ${registry}`, { remedy: `rootless keeps credentials in ${authFileWritePath()}` });
  process.stdout.write(`Removed login credentials for ${registry}\n`);
}
