// The two modes without a helper. `none`: the container's own network namespace with only `lo`,
// brought up from outside with `nsenter … ip link set lo up` (a fresh namespace has lo down).
// `host`: no network namespace at all; the container sees the host's interfaces and resolvers.
// child_process rather than execa: loading execa costs ~200 ms here, on the path of every `run`.
import { execFile } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { RootlessError } from '../errors.js';
import { findHelper } from '../runtime/idmap.js';
import type { NetworkDriver, RunningNetwork } from './driver.js';
import { generateResolvConf, readHostResolvConf } from './etc-files.js';
import { requireOwnNetworkNamespace } from './helper.js';

function sameNamespace(pid: number, kind: string): boolean {
  return readlinkSync(`/proc/${pid}/ns/${kind}`) === readlinkSync(`/proc/self/ns/${kind}`);
}

/**
 * Runs `argv` in the network namespace of `pid` as root of its user namespace. An unprivileged
 * user keeps its uid (it is that namespace's root: container 0 = the user); real root is not
 * mapped there, so nsenter switches to the namespace's uid 0, or `ip` would lose its capabilities.
 */
export async function runInNetworkNamespace(pid: number, argv: string[]): Promise<void> {
  const nsenter = findHelper('nsenter');
  if (!nsenter) throw new RootlessError('nsenter is not installed', { remedy: 'Install it: sudo apt install util-linux' });
  const user = sameNamespace(pid, 'user') ? [] : process.getuid?.() === 0 ? ['--user'] : ['--user', '--preserve-credentials'];
  const failure = await new Promise<{ error: Error; stderr: string } | undefined>((resolve) => {
    const child = execFile(nsenter, ['--target', String(pid), ...user, '--net', ...argv], (error, _stdout, stderr) => resolve(error ? { error, stderr } : undefined));
    child.stdin?.end();
  });
  if (failure) {
    const said = (failure.stderr || failure.error.message).split('\n')[0];
    throw new RootlessError(`\`${argv.join(' ')}\` in the container's network namespace failed: ${said}`, { cause: failure });
  }
}

export const noneDriver: NetworkDriver<{ kind: 'none' }> = {
  name: 'none',
  async start(pid): Promise<RunningNetwork> {
    requireOwnNetworkNamespace(pid);
    const ip = findHelper('ip');
    if (!ip) throw new RootlessError('the `ip` command is not installed, and --network none needs it to bring up lo', { remedy: 'Install it: sudo apt install iproute2' });
    await runInNetworkNamespace(pid, [ip, 'link', 'set', 'lo', 'up']);
    return { driver: 'none', resolvConf: generateResolvConf([], readHostResolvConf()), hostsEntries: [], ports: [], stop: async () => undefined };
  },
};

export const hostDriver: NetworkDriver<{ kind: 'host' }> = {
  name: 'host',
  async start(pid): Promise<RunningNetwork> {
    if (!sameNamespace(pid, 'net')) {
      throw new RootlessError(`--network host, but process ${pid} has a network namespace of its own`, {
        remedy: 'Leave out the net namespace (unshare --net) when the network is host',
      });
    }
    return { driver: 'host', resolvConf: readHostResolvConf(), hostsEntries: [], ports: [], stop: async () => undefined };
  },
};
