// The namespaces of a container: all but the network one, which only --network none adds
// (a new, empty one; the default shares the host's until the networking issue lands), and the
// cgroup one unless --cgroupns=host.
import type { SpecNamespaceType } from './oci.js';
import type { CgroupnsMode } from './security-flags.js';
import type { NetworkMode } from './run-options.js';

export function containerNamespaces(network: NetworkMode, cgroupns: CgroupnsMode = 'private'): SpecNamespaceType[] {
  const namespaces: SpecNamespaceType[] = ['user', 'mount', 'pid', 'uts', 'ipc'];
  if (cgroupns === 'private') namespaces.push('cgroup');
  if (network === 'none') namespaces.push('network');
  return namespaces;
}
