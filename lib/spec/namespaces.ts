// The namespaces of a container: all of them, the network one included unless --network host
// (lib/net connects the container's own network namespace; see docs/NETWORK.md), and the cgroup
// one unless --cgroupns=host.
import type { SpecNamespaceType } from './oci.js';
import type { RunOptions } from './run-options.js';
import type { CgroupnsMode } from './security-flags.js';

/** `--network host`: no network namespace of its own (lib/net's parseNetwork trims the same way). */
export function sharesHostNetwork(network: string | undefined): boolean {
  return network?.trim() === 'host';
}

export function containerNamespaces(network: string | undefined, cgroupns: CgroupnsMode = 'private'): SpecNamespaceType[] {
  const namespaces: SpecNamespaceType[] = ['user', 'mount', 'pid', 'uts', 'ipc'];
  if (cgroupns === 'private') namespaces.push('cgroup');
  if (!sharesHostNetwork(network)) namespaces.push('network');
  return namespaces;
}

/** --hostname; else the host's name with the host network, the short id otherwise (as docker). */
export function containerHostname(options: Pick<RunOptions, 'hostname' | 'network'>, id: string, hostHostname: string): string {
  if (options.hostname) return options.hostname;
  return sharesHostNetwork(options.network) ? hostHostname : id.slice(0, 12);
}
