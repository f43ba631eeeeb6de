// Starts Debian's docker-registry (distribution 2.8) on 127.0.0.1 with a config of our own:
// storage in a temp dir, optionally htpasswd basic auth. The process is detached so that it
// outlives the setup program; stopRegistry kills it by pid.
import { spawn, execFileSync } from 'node:child_process';
import { connect } from 'node:net';
import { chownSync, mkdirSync, openSync, readFileSync, readdirSync, writeFileSync, closeSync } from 'node:fs';
import path from 'node:path';
import type { RegistryInfo } from './env.js';
import { waitForRegistry } from './push.js';

export interface RegistryOptions {
  name: string;
  port: number;
  workDir: string;
  credentials?: { username: string; password: string };
  /** Run the registry as this user (root setup: the test user, so tests can alter its storage). */
  owner?: { uid: number; gid: number };
}

const REGISTRY_BINARY = '/usr/bin/docker-registry';
/** Marks our registries' command lines, so a leftover of an interrupted run can be recognised. */
export const CONFIG_MARK = 'rootless-e2e-registry';

function registryConfig(options: RegistryOptions, storage: string, htpasswd: string | undefined): string {
  const lines = [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${storage}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${options.port}`,
    `  secret: ${options.name}-not-secret`,
  ];
  if (htpasswd) lines.push('auth:', '  htpasswd:', `    realm: ${options.name}`, `    path: ${htpasswd}`);
  return lines.join('\n') + '\n';
}

/** The port a registry of ours listens on, from its config; undefined when the config is gone. */
function configuredPort(configFile: string): number | undefined {
  try {
    const match = /^\s*addr: 127\.0\.0\.1:(\d+)$/m.exec(readFileSync(configFile, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Pids of registries an earlier, killed run left on `ports` (scripts/test.sh holds a lock, so no
 * live run owns them); registries of ours on other ports (a benchmark's, say) are left alone.
 */
function leftoverRegistries(ports: number[]): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const config = argv.find((arg) => arg.includes(CONFIG_MARK));
      if (argv[0] !== REGISTRY_BINARY || !config) continue;
      const port = configuredPort(config);
      if (port === undefined || ports.includes(port)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

export function killLeftoverRegistries(ports: number[]): void {
  for (const pid of leftoverRegistries(ports)) {
    try {
      process.kill(pid, 'SIGKILL');
      console.log(`setup: killed registry ${pid} left by an earlier run`);
    } catch {
      // already gone
    }
  }
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

export async function startRegistry(options: RegistryOptions): Promise<RegistryInfo> {
  if (await portAnswers(options.port)) {
    throw new Error(`127.0.0.1:${options.port} is already in use by another program (ss -ltnp shows which); stop it or set ROOTLESS_E2E_PORT`);
  }
  const dir = path.join(options.workDir, options.name);
  const storage = path.join(dir, 'storage');
  mkdirSync(storage, { recursive: true });
  let htpasswd: string | undefined;
  if (options.credentials) {
    htpasswd = path.join(dir, 'htpasswd');
    const line = execFileSync('htpasswd', ['-Bbn', options.credentials.username, options.credentials.password], { encoding: 'utf8' });
    writeFileSync(htpasswd, line.trim() + '\n');
  }
  const config = path.join(dir, `${CONFIG_MARK}.yml`);
  writeFileSync(config, registryConfig(options, storage, htpasswd));
  if (options.owner) {
    for (const file of [dir, storage]) chownSync(file, options.owner.uid, options.owner.gid);
  }
  const log = path.join(dir, 'registry.log');
  const logFd = openSync(log, 'a');
  const child = spawn(REGISTRY_BINARY, ['serve', config], {
    detached: true,
    stdio: ['ignore', logFd, logFd],
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
    ...(options.owner ? { uid: options.owner.uid, gid: options.owner.gid } : {}),
  });
  closeSync(logFd);
  child.unref();
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`docker-registry ${options.name} exited with ${code}; see ${log}:\n${readFileSync(log, 'utf8').slice(-2000)}`))),
  );
  await Promise.race([waitForRegistry(`127.0.0.1:${options.port}`), exited]);
  child.removeAllListeners('exit');
  return {
    address: `127.0.0.1:${options.port}`,
    pid: child.pid!,
    storage,
    log,
    ...(options.credentials ?? {}),
  };
}

export function stopRegistry(info: RegistryInfo): void {
  try {
    process.kill(info.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
