// `rootless port`: the published ports of a running container, read from the state.json that
// `run` keeps in the container's bundle while it runs. Lines as docker prints them.
import { RootlessError } from '../errors.js';
import type { PortMapping } from '../net/options.js';
import { isRunning, type ContainerState } from './state.js';

function formatMapping(mapping: PortMapping): string {
  const host = mapping.hostIP.includes(':') ? `[${mapping.hostIP}]` : mapping.hostIP;
  return `${mapping.containerPort}/${mapping.protocol} -> ${host}:${mapping.hostPort}`;
}

/** `80/tcp -> 0.0.0.0:8080` lines, optionally only for one container port (`80`, `80/udp`). */
export function portLines(container: ContainerState, privatePort?: string): string[] {
  if (!isRunning(container)) return [];
  let mappings = container.ports ?? [];
  if (privatePort !== undefined) {
    const [port, protocol = 'tcp'] = privatePort.split('/');
    mappings = mappings.filter((m) => String(m.containerPort) === port && m.protocol === protocol);
    if (mappings.length === 0) {
      throw new RootlessError(`no public port '${privatePort}' published for ${container.name}`, {
        remedy: '`rootless port CONTAINER` lists what it publishes',
      });
    }
  }
  return mappings.map(formatMapping);
}
