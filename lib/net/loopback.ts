// The two modes without a helper. `none`: the container's own network namespace with only `lo`
// (stage 2 brings it up from inside, as crun does: no nsenter and `ip` on the start path).
// `host`: no network namespace at all; the container sees the host's interfaces and resolvers.
import { readlinkSync } from 'node:fs';
import { RootlessError } from '../errors.js';
import type { NetworkDriver, RunningNetwork } from './driver.js';
import { generateResolvConf, readHostResolvConf } from './etc-files.js';
import { requireOwnNetworkNamespace } from './helper.js';

function sameNamespace(pid: number, kind: string): boolean {
  return readlinkSync(`/proc/${pid}/ns/${kind}`) === readlinkSync(`/proc/self/ns/${kind}`);
}

export const noneDriver: NetworkDriver<{ kind: 'none' }> = {
  name: 'none',
  async start(pid): Promise<RunningNetwork> {
    requireOwnNetworkNamespace(pid);
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
