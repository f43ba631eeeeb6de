// Finding a container the way docker does: by name, full id or unique id prefix.
import { RootlessError } from '../errors.js';
import { readContainerStates, type ContainerState } from './state.js';

/** The container named or id-prefixed `nameOrIdPrefix`; a RootlessError (exit 125) when there is none. */
export function findContainer(nameOrIdPrefix: string): ContainerState {
  const all = readContainerStates();
  const byName = all.find((container) => container.name === nameOrIdPrefix);
  if (byName) return byName;
  const byId = /^[0-9a-f]{3,64}$/.test(nameOrIdPrefix) ? all.filter((container) => container.id.startsWith(nameOrIdPrefix)) : [];
  if (byId.length === 1) return byId[0]!;
  if (byId.length > 1) throw new RootlessError(`container id prefix ${nameOrIdPrefix} is ambiguous`, { remedy: 'Give more digits of the id, or the name' });
  throw new RootlessError(`no such container: ${nameOrIdPrefix}`, { remedy: 'Give the name or id of a running container (--name sets one)' });
}
