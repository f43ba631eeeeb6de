// `rootless port`: the published ports of a running container, read from the state.json that
// `run` keeps in the container's bundle while it runs. Lines as docker prints them.
import { RootlessError } from '../errors.js';
import type { PortMapping } from '../net/options.js';
import { isRunning, readContainerStates, type ContainerState } from './state.js';

/** A container by name, full id or unique id prefix. */
export function findContainer(text: string): ContainerState {
  const all = readContainerStates();
  const byName = all.find((container) => container.name === text);
  if (byName) return byName;
  const byId = /^[0-9a-f]{3,64}$/.test(text) ? all.filter((container) => container.id.startsWith(text)) : [];
  if (byId.length === 1) return byId[0]!;
  if (byId.length > 1) throw new RootlessError(`container id prefix ${text} is ambiguous`, { remedy: 'Give more digits of the id, or the name' });
  throw new RootlessError(`no such container: ${text}`, { remedy: 'Give the name or id of a running container (--name sets one)' });
}

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
