// Everything the CLI does between "stage 1 launched" and "stage 2 may start": resolve the user,
// build the spec, write the bundle. Loaded only after the launch, so that its modules load and
// its files are written while stage 2's Node starts on the other core.
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { RootlessError } from '../errors.js';
import { buildSpec, type ContainerPaths } from '../spec/build.js';
import type { ImageSource } from '../spec/image-source.js';
import { readLayerFile } from '../spec/layer-files.js';
import type { RuntimeSpec } from '../spec/oci.js';
import type { RunOptions } from '../spec/run-options.js';
import { parseSecurityOpts } from '../spec/security.js';
import { checkName, confirmName, createContainer } from './bundle.js';
import type { PortMapping } from '../net/options.js';
import type { UserNamespacePlan } from './idmap.js';
import { requireInitBinary } from './init-binary.js';
import { generateName } from '../container/names.js';
import { readContainerStates, type ContainerState } from '../container/state.js';
import { processStart } from '../net/helper.js';

export function readEnvFile(file: string): { file: string; text: string } {
  try {
    return { file, text: readFileSync(file, 'utf8') };
  } catch (error) {
    throw new RootlessError(`cannot read the env file ${file}: ${(error as Error).message}`, { remedy: 'Check the path given to --env-file' });
  }
}

/** The profile of `--security-opt seccomp=FILE`, if one is named. */
function readSeccompProfile(options: RunOptions): { file: string; text: string } | undefined {
  const file = parseSecurityOpts(options.securityOpt).seccomp.profileFile;
  if (file === undefined) return undefined;
  try {
    return { file, text: readFileSync(file, 'utf8') };
  } catch (error) {
    throw new RootlessError(`cannot read the seccomp profile ${file}: ${(error as Error).message}`, { remedy: 'Check the path given to --security-opt seccomp=' });
  }
}

/** Volume sources must exist (as podman: docker would create a missing one as root's directory). */
function checkVolumeSources(spec: RuntimeSpec): void {
  for (const mount of spec.mounts) {
    if (!mount.options?.includes('rbind') || existsSync(mount.source)) continue;
    throw new RootlessError(`the volume source ${mount.source} does not exist`, { remedy: `Create it first (mkdir -p ${mount.source}) or fix the -v path` });
  }
}

export interface PrepareRequest {
  id: string;
  options: RunOptions;
  image: ImageSource;
  paths: ContainerPaths;
  plan: UserNamespacePlan;
  /** Recorded in state.json: stage 1's pid and the published ports (`rootless port`). */
  pid: number;
  ports: PortMapping[];
  /** More of state.json (`run -d`'s monitor, the cgroup, the network to reconnect on `start`). */
  record?: Partial<ContainerState>;
}

/** Builds the spec and writes the container's directories; on failure nothing is left behind. */
export function prepareContainer({ id, options, image, paths, plan, pid, ports, record }: PrepareRequest): RuntimeSpec {
  if (options.name !== undefined) checkName(options.name);
  const spec = buildSpec({
    id,
    options,
    image: image.config,
    paths,
    plan,
    passwd: readLayerFile(image.layers, 'etc/passwd'),
    group: readLayerFile(image.layers, 'etc/group'),
    envFiles: options.envFile.map(readEnvFile),
    hostEnv: process.env,
    hostHostname: os.hostname(),
    cwd: process.cwd(),
    tty: options.tty,
    seccompProfile: readSeccompProfile(options),
    initBinary: options.init ? requireInitBinary().path : undefined,
  });
  checkVolumeSources(spec);
  const created = new Date().toISOString();
  const state: ContainerState = {
    id,
    name: options.name ?? generateName(new Set(readContainerStates().map((container) => container.name))),
    image: options.image,
    created,
    startedAt: created,
    pid,
    pidStart: processStart(pid),
    ports,
    command: spec.process.args,
    network: options.network,
    stopSignal: image.config.config?.StopSignal,
    ...record,
  };
  createContainer(spec, paths, state, plan);
  confirmName(state);
  return spec;
}
