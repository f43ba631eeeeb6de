// The init `--init` runs as the container's PID 1: it reaps orphaned zombies and forwards signals
// to the command. It is bind-mounted from the host into any image, so only static builds will do:
// catatonit (Podman's) or tini-static. Looked up on PATH like the other helpers.
import { RootlessError } from '../errors.js';
import { findHelper } from './idmap.js';

export interface InitBinary {
  name: 'catatonit' | 'tini-static';
  path: string;
}

/** Where the init appears inside the container: on its private /dev tmpfs, not in the image. */
export const INIT_IN_CONTAINER = '/dev/init';

export function findInitBinary(): InitBinary | undefined {
  for (const name of ['catatonit', 'tini-static'] as const) {
    const path = findHelper(name);
    if (path) return { name, path };
  }
  return undefined;
}

export function requireInitBinary(): InitBinary {
  const init = findInitBinary();
  if (!init) {
    throw new RootlessError('--init needs catatonit or tini-static, and neither is installed', {
      remedy: 'Install one: sudo apt install catatonit (or tini, which ships tini-static)',
    });
  }
  return init;
}
