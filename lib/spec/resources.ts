// --memory, --cpus and --pids-limit → OCI `linux.resources`. Apart from security.ts so that the
// CLI can check them before starting anything without loading the seccomp modules.
import { RootlessError } from '../errors.js';
import type { SecurityRunOptions } from './security-flags.js';

/** OCI `linux.resources`, the part rootless applies through cgroup v2. */
export interface SpecResources {
  memory?: { limit: number };
  cpu?: { quota: number; period: number };
  pids?: { limit: number };
}

const CPU_PERIOD = 100_000;
const memoryUnits: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** Docker's RAMInBytes: 512m, 1g, 1048576 (binary units, optional trailing b). */
export function parseMemory(text: string): number {
  const match = /^([0-9]+(?:\.[0-9]+)?)\s*([kmgt]?)b?$/i.exec(text.trim());
  const bytes = match ? Math.floor(Number(match[1]) * memoryUnits[match[2]!.toLowerCase()]!) : NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 6 * 1024 * 1024) {
    throw new RootlessError(`invalid --memory "${text}"`, { remedy: 'Give a size of at least 6m, such as 512m or 2g' });
  }
  return bytes;
}

export function parseResources(options: Pick<SecurityRunOptions, 'memory' | 'cpus' | 'pidsLimit'>): SpecResources {
  const resources: SpecResources = {};
  if (options.memory !== undefined) resources.memory = { limit: parseMemory(options.memory) };
  if (options.cpus !== undefined) {
    const cpus = Number(options.cpus);
    if (!(cpus > 0) || !Number.isFinite(cpus)) throw new RootlessError(`invalid --cpus "${options.cpus}"`, { remedy: 'Give a positive number of CPUs, such as 0.5 or 2' });
    resources.cpu = { quota: Math.round(cpus * CPU_PERIOD), period: CPU_PERIOD };
  }
  if (options.pidsLimit !== undefined) {
    const limit = Number(options.pidsLimit);
    if (!Number.isInteger(limit) || limit < -1) throw new RootlessError(`invalid --pids-limit "${options.pidsLimit}"`, { remedy: 'Give a whole number of processes (0 or -1: no limit)' });
    if (limit > 0) resources.pids = { limit };
  }
  return resources;
}
