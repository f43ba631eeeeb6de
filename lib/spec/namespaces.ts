// The namespaces of a container: all but the network one, which only --network none adds
// (a new, empty one; the default shares the host's until the networking issue lands).
import type { SpecNamespaceType } from './oci.js';
import type { NetworkMode } from './run-options.js';

export function containerNamespaces(network: NetworkMode): SpecNamespaceType[] {
  const namespaces: SpecNamespaceType[] = ['user', 'mount', 'pid', 'uts', 'ipc', 'cgroup'];
  if (network === 'none') namespaces.push('network');
  return namespaces;
}
