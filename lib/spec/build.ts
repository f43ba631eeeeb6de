// Image config + `rootless run` flags → an OCI runtime-spec config.json. Pure: the CLI reads the
// files (env files, the container's /etc/passwd and /etc/group) and passes their text in.
// Precedence is Docker's: flags over the image, and --entrypoint clears the image's Cmd.
import path from 'node:path';
import { RootlessError } from '../errors.js';
import { INIT_IN_CONTAINER } from '../runtime/init-binary.js';
import { IDMAPPED_MOUNTS_ANNOTATION, type IdmappedMounts } from '../runtime/layer-mounts.js';
import type { IdMapping, UserNamespacePlan } from '../runtime/idmap.js';
import { envValue, mergeEnv, parseEnvFile, parseTmpfs, parseUserSpec, parseVolume, resolveEnvEntry } from './flag-values.js';
import { containerHostname, containerNamespaces, sharesHostNetwork } from './namespaces.js';
import type { OCIImageConfig, RuntimeSpec, SpecMount, SpecUser } from './oci.js';
import { parseGroup, parsePasswd, resolveUser } from './passwd.js';
import type { RunOptions } from './run-options.js';
import { securitySpec } from './security.js';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Device nodes bind-mounted from the host (a user namespace cannot mknod them). */
const HOST_DEVICES = ['null', 'zero', 'full', 'random', 'urandom', 'tty'];

export interface ContainerPaths {
  /** Lower layer directories, base first (the image source's order). */
  layers: string[];
  /**
   * Real root: where stage 2 attaches the ID-mapped clones of `layers` (base first); the overlay
   * uses these as its lowerdirs instead of the layer dirs themselves.
   */
  layerMounts?: string[];
  /** storeDir()/containers/<id>: holds upper/ and work/. */
  storageDir: string;
  /** runtimeDir()/containers/<id>: config.json, rootfs/, hosts, hostname, resolv.conf. */
  bundleDir: string;
}

export interface SpecInput {
  id: string;
  options: RunOptions;
  image: OCIImageConfig;
  paths: ContainerPaths;
  plan: UserNamespacePlan;
  /** The container's /etc/passwd and /etc/group (undefined when the image has none). */
  passwd?: string;
  group?: string;
  envFiles: Array<{ file: string; text: string }>;
  hostEnv: NodeJS.ProcessEnv;
  hostHostname: string;
  /** Resolves relative volume sources. */
  cwd: string;
  tty?: boolean;
  /** The profile of `--security-opt seccomp=FILE`, read by the CLI. */
  seccompProfile?: { file: string; text: string };
  /** The host's static init binary, with --init. */
  initBinary?: string;
}

export function processArgs(options: Pick<RunOptions, 'entrypoint' | 'command'>, image: OCIImageConfig): string[] {
  const config = image.config ?? {};
  const entrypoint = options.entrypoint !== undefined ? (options.entrypoint === '' ? [] : [options.entrypoint]) : (config.Entrypoint ?? []);
  const cmd = options.command.length > 0 ? options.command : options.entrypoint !== undefined ? [] : (config.Cmd ?? []);
  const args = [...entrypoint, ...cmd];
  if (args.length === 0) {
    throw new RootlessError('no command given and the image has no Entrypoint or Cmd', {
      remedy: 'Name a command after the image: rootless run IMAGE COMMAND',
    });
  }
  return args;
}

function processEnv(input: SpecInput, hostname: string, home: string): string[] {
  const base = [...(input.image.config?.Env ?? [])];
  const defaults: Array<[string, string]> = [['PATH', DEFAULT_PATH], ['HOSTNAME', hostname], ['HOME', home]];
  if (input.tty) defaults.push(['TERM', 'xterm']);
  for (const [key, value] of defaults) if (envValue(base, key) === undefined) base.push(`${key}=${value}`);
  const fromFiles = input.envFiles.flatMap(({ file, text }) => parseEnvFile(text, input.hostEnv, file));
  const fromFlags = input.options.env.map((entry) => resolveEnvEntry(entry, input.hostEnv)).filter((entry): entry is string => entry !== undefined);
  return mergeEnv(base, fromFiles, fromFlags);
}

function workingDir(input: SpecInput): string {
  const cwd = input.options.workdir ?? (input.image.config?.WorkingDir || '/');
  if (!cwd.startsWith('/')) {
    throw new RootlessError(`the working directory "${cwd}" is not an absolute path`, { remedy: 'Give -w an absolute path such as /app' });
  }
  return path.posix.normalize(cwd);
}

function rootMounts(input: SpecInput): SpecMount[] {
  const { layers, layerMounts, storageDir } = input.paths;
  const lowers = [...(layerMounts ?? layers)].reverse().join(':');
  return [
    {
      destination: '/',
      type: 'overlay',
      source: 'overlay',
      options: ['userxattr', `lowerdir=${lowers}`, `upperdir=${storageDir}/upper`, `workdir=${storageDir}/work`],
    },
  ];
}

function systemMounts(input: SpecInput): SpecMount[] {
  const ownNetwork = !sharesHostNetwork(input.options.network);
  const mounts: SpecMount[] = [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    // A new sysfs needs a network namespace of our own; otherwise the host's, read-only.
    ownNetwork
      ? { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] }
      : { destination: '/sys', type: 'bind', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] },
  ];
  for (const device of HOST_DEVICES) mounts.push({ destination: `/dev/${device}`, type: 'bind', source: `/dev/${device}`, options: ['bind'] });
  for (const file of ['hostname', 'hosts', 'resolv.conf']) {
    mounts.push({ destination: `/etc/${file}`, type: 'bind', source: path.join(input.paths.bundleDir, file), options: ['bind'] });
  }
  if (input.initBinary) mounts.push({ destination: INIT_IN_CONTAINER, type: 'bind', source: input.initBinary, options: ['bind', 'ro'] });
  return mounts;
}

function userMounts(input: SpecInput): SpecMount[] {
  const volumes = input.options.volume.map(parseVolume).map((volume) => ({
    destination: path.posix.normalize(volume.destination),
    type: 'bind',
    source: path.resolve(input.cwd, volume.source),
    options: ['rbind', ...(volume.readonly ? ['ro'] : []), ...(volume.idmap ? ['idmap'] : [])],
  }));
  const tmpfs = input.options.tmpfs.map(parseTmpfs).map((mount) => ({
    destination: path.posix.normalize(mount.destination),
    type: 'tmpfs',
    source: 'tmpfs',
    options: mount.options,
  }));
  return [...volumes, ...tmpfs];
}

function isMapped(id: number, mappings: IdMapping[]): boolean {
  return mappings.some((m) => id >= m.containerID && id < m.containerID + m.size);
}

/** The kernel refuses ids outside the namespace's map (EINVAL): say so before starting. */
function checkMapped(user: SpecUser, plan: UserNamespacePlan): void {
  const unmapped = [
    ...(isMapped(user.uid, plan.uidMappings) ? [] : [`uid ${user.uid}`]),
    ...(isMapped(user.gid, plan.gidMappings) ? [] : [`gid ${user.gid}`]),
  ];
  if (unmapped.length === 0) return;
  throw new RootlessError(`${unmapped.join(', ')} of the container user is not mapped in its user namespace`, {
    remedy: plan.warning ? 'Give this user subordinate ids (see the WARN line above)' : 'Use a user within the mapped range',
  });
}

export function buildSpec(input: SpecInput): RuntimeSpec {
  const hostname = containerHostname(input.options, input.id, input.hostHostname);
  const userText = input.options.user ?? (input.image.config?.User || '0');
  const resolved = resolveUser(parseUserSpec(userText), parsePasswd(input.passwd ?? ''), parseGroup(input.group ?? ''));
  // with a single-id map the supplementary groups cannot be set (setgroups is denied): drop them
  const additionalGids = resolved.additionalGids!.filter((gid) => isMapped(gid, input.plan.gidMappings));
  const user = { ...resolved, additionalGids };
  checkMapped(user, input.plan);
  const security = securitySpec({ options: input.options, uid: user.uid, seccompProfile: input.seccompProfile });
  const mounts = [...rootMounts(input), ...systemMounts(input), ...userMounts(input)];
  return {
    ociVersion: '1.2.0',
    process: {
      terminal: input.tty ?? false,
      user: { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids },
      args: input.initBinary ? [INIT_IN_CONTAINER, '--', ...processArgs(input.options, input.image)] : processArgs(input.options, input.image),
      env: processEnv(input, hostname, user.home),
      cwd: workingDir(input),
      capabilities: security.capabilities,
      noNewPrivileges: security.noNewPrivileges,
      ...(security.rlimits.length ? { rlimits: security.rlimits } : {}),
    },
    root: { path: path.join(input.paths.bundleDir, 'rootfs'), readonly: security.readonlyRoot },
    hostname,
    mounts,
    linux: {
      namespaces: containerNamespaces(input.options.network, input.options.cgroupns).map((type) => ({ type })),
      uidMappings: input.plan.uidMappings,
      gidMappings: input.plan.gidMappings,
      ...(security.seccomp ? { seccomp: security.seccomp } : {}),
      maskedPaths: security.maskedPaths,
      readonlyPaths: security.readonlyPaths,
      ...(Object.keys(security.resources).length ? { resources: security.resources } : {}),
    },
    ...idmappedMountsAnnotation(input.paths, mounts),
  };
}

/** What the CLI mounts ID-mapped for stage 2 (root's layers, `:idmap` volumes), if anything. */
function idmappedMountsAnnotation(paths: ContainerPaths, mounts: SpecMount[]): { annotations?: Record<string, string> } {
  const layers = paths.layerMounts?.map((target, index) => ({ source: paths.layers[index]!, target })) ?? [];
  const volumes = mounts.filter((mount) => mount.options?.includes('idmap')).map(({ source, destination }) => ({ source, destination }));
  if (layers.length === 0 && volumes.length === 0) return {};
  const idmapped: IdmappedMounts = { layers, volumes };
  return { annotations: { [IDMAPPED_MOUNTS_ANNOTATION]: JSON.stringify(idmapped) } };
}
