// --memory, --cpus and --pids-limit through cgroup v2, only where the user's cgroup is delegated
// and writable (lib/doctor's detection). The container gets a child cgroup of the delegated one;
// stage 1 moves itself into it before `unshare`, so every process of the container (and the
// cgroup namespace's root) is inside. Elsewhere: one warning line, and the container runs anyway,
// as podman does.
import { mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gatherCgroup } from '../doctor/cgroup.js';
import type { CgroupInfo } from '../doctor/types.js';
import type { SpecResources } from '../spec/resources.js';
import { unshareLauncher, type Launcher } from './launcher.js';

/** cgroup v2 interface files for OCI resources. */
export function cgroupFiles(resources: SpecResources): Array<[string, string]> {
  const files: Array<[string, string]> = [];
  if (resources.memory) files.push(['memory.max', String(resources.memory.limit)]);
  if (resources.cpu) files.push(['cpu.max', `${resources.cpu.quota} ${resources.cpu.period}`]);
  if (resources.pids) files.push(['pids.max', String(resources.pids.limit)]);
  return files;
}

const controllerOf: Record<string, string> = { 'memory.max': 'memory', 'cpu.max': 'cpu', 'pids.max': 'pids' };

export interface ResourceLimits {
  /** The container's cgroup directory (a detached container's is removed by the next command). */
  dir: string;
  /** Wraps stage 1 so it enters the container's cgroup before creating the namespaces. */
  launcher: Launcher;
  remove(): void;
}

/** Why the limits cannot apply here, or undefined when they can. */
export function cgroupProblem(cgroup: CgroupInfo, controllers: string[]): string | undefined {
  if (cgroup.version === 'v1') return 'the host runs cgroup v1';
  if (cgroup.version === 'hybrid') return 'the host runs cgroup v1 with an empty v2 hierarchy (hybrid)';
  if (!cgroup.writable || !cgroup.path) return `${cgroup.path ?? 'the cgroup'} is not delegated to this user`;
  const missing = controllers.filter((name) => !cgroup.controllers.includes(name));
  return missing.length ? `the controllers ${missing.join(', ')} are not delegated` : undefined;
}

/** undefined (after one warning on stderr) when the limits cannot apply on this host. */
export function startResourceLimits(resources: SpecResources, id: string): ResourceLimits | undefined {
  const files = cgroupFiles(resources);
  if (files.length === 0) return undefined;
  const cgroup = gatherCgroup();
  const needed = [...new Set(files.map(([file]) => controllerOf[file]!))];
  const problem = cgroupProblem(cgroup, needed);
  const dir = cgroup.path && path.join(cgroup.path, `rootless-${id.slice(0, 12)}`);
  const failure = problem ?? (dir ? createCgroup(dir, needed, files) : 'no cgroup');
  if (failure || !dir) {
    process.stderr.write(`WARN: --memory, --cpus and --pids-limit are ignored: ${failure}; \`rootless doctor\` shows the fix\n`);
    return undefined;
  }
  return {
    dir,
    launcher: {
      command: (namespaces, argv, outliveCaller) => [
        '/bin/sh', '-c', 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"', 'rootless-cgroup', dir, ...unshareLauncher.command(namespaces, argv, outliveCaller),
      ],
    },
    remove: () => {
      try {
        rmdirSync(dir);
      } catch {
        // EBUSY: a process of the container outlived it; the empty cgroup is harmless
      }
    },
  };
}

/**
 * Enables the controllers below the delegated cgroup and writes the limits into a new child;
 * returns why it could not (a delegated cgroup that still holds processes refuses controllers).
 */
function createCgroup(dir: string, controllers: string[], files: Array<[string, string]>): string | undefined {
  try {
    writeFileSync(path.join(path.dirname(dir), 'cgroup.subtree_control'), controllers.map((name) => `+${name}`).join(' '));
    mkdirSync(dir);
  } catch (error) {
    return `cannot create a cgroup in ${path.dirname(dir)} (${(error as Error).message})`;
  }
  try {
    for (const [file, value] of files) writeFileSync(path.join(dir, file), value);
    return undefined;
  } catch (error) {
    rmdirSync(dir);
    return `cannot set the limits in ${dir} (${(error as Error).message})`;
  }
}
