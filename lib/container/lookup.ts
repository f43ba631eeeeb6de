// Finding a container by what the user typed: its name, its full id or a unique id prefix.
import { RootlessError } from '../errors.js';
import { readContainerStates, type ContainerState } from './state.js';

/** Picks one container out of `all` (pure; findContainer reads the states). */
export function pickContainer(all: ContainerState[], nameOrIdPrefix: string): ContainerState {
  const byName = all.find((container) => container.name === nameOrIdPrefix);
  if (byName) return byName;
  const byId = /^[0-9a-f]{1,64}$/.test(nameOrIdPrefix) ? all.filter((container) => container.id.startsWith(nameOrIdPrefix)) : [];
  if (byId.length === 1) return byId[0]!;
  if (byId.length > 1) {
    throw new RootlessError(`container id prefix ${nameOrIdPrefix} is ambiguous`, { remedy: 'Give more digits of the id, or the name' });
  }
  throw new RootlessError(`no such container: ${nameOrIdPrefix}`, { remedy: '`rootless ps -a` lists the names and ids of the containers' });
}

/** A container by name, full id or unique id prefix; RootlessError (exit 125) when there is none. */
export function findContainer(nameOrIdPrefix: string): ContainerState {
  return pickContainer(readContainerStates(), nameOrIdPrefix);
}
