// `rootless run`: image + flags → spec → bundle → stage 1 (namespaces) → stage 2 (root, ids, exec).
// The CLI stays the container's parent: it forwards SIGINT/SIGTERM/SIGHUP/SIGQUIT to the
// container's process, returns its exit status, and with --rm removes its directories. If the CLI
// is killed, setpriv's parent-death signal and unshare's --kill-child end the container; its
// mounts live only in its own mount namespace.
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { RootlessError } from '../errors.js';
import { buildSpec } from '../spec/build.js';
import { openImageSource } from '../spec/image-source.js';
import { readLayerFile } from '../spec/layer-files.js';
import type { RuntimeSpec } from '../spec/oci.js';
import type { RunOptions } from '../spec/run-options.js';
import { checkName, containerPaths, createContainer, newContainerId, removeContainer } from './bundle.js';
import type { OuterChannel } from './channel.js';
import { defaultUserNamespace, type UserNamespacePlan } from './idmap.js';
import type { InitErrorMessage } from './init-error.js';
import { launchInNamespaces, type NamespaceKind } from './launcher.js';

const STAGE2_JS = fileURLToPath(new URL('./stage2.js', import.meta.url));
const FORWARDED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

function launcherNamespaces(spec: RuntimeSpec): NamespaceKind[] {
  return spec.linux.namespaces.map(({ type }) => (type === 'network' ? 'net' : type));
}

function readEnvFile(file: string): { file: string; text: string } {
  try {
    return { file, text: readFileSync(file, 'utf8') };
  } catch (error) {
    throw new RootlessError(`cannot read the env file ${file}: ${(error as Error).message}`, { remedy: 'Check the path given to --env-file' });
  }
}

/** Volume sources must exist (as podman: docker would create a missing one as root's directory). */
function checkVolumeSources(spec: RuntimeSpec): void {
  for (const mount of spec.mounts) {
    if (!mount.options?.includes('rbind') || existsSync(mount.source)) continue;
    throw new RootlessError(`the volume source ${mount.source} does not exist`, { remedy: `Create it first (mkdir -p ${mount.source}) or fix the -v path` });
  }
}

function remedyFor(message: InitErrorMessage): string {
  if (message.exitCode === 127) return 'Check the command name and that the image contains it';
  if (message.exitCode === 126) return 'Check that it is an executable program the container user may run';
  return 'Run `rootless doctor` to check the host, or set ROOTLESS_DEBUG=1 for details';
}

/** Forwards the CLI's signals to the container's command once it runs (init ignores them before). */
function forwardSignals(): { setTarget(pid: number): void; stop(): void } {
  let target: number | undefined;
  const pending: NodeJS.Signals[] = [];
  const deliver = (signal: NodeJS.Signals) => {
    try {
      process.kill(target!, signal);
    } catch {
      // already gone
    }
  };
  const onSignal = (signal: NodeJS.Signals) => (target === undefined ? pending.push(signal) : deliver(signal));
  for (const signal of FORWARDED_SIGNALS) process.on(signal, onSignal);
  return {
    setTarget(pid) {
      target = pid;
      pending.splice(0).forEach(deliver);
    },
    stop() {
      for (const signal of FORWARDED_SIGNALS) process.off(signal, onSignal);
    },
  };
}

/** Reads stage 2's messages until the channel closes; returns its error if it sent one. */
async function followInit(channel: OuterChannel, signals: ReturnType<typeof forwardSignals>): Promise<InitErrorMessage | undefined> {
  let hostPid: number | undefined;
  let failure: InitErrorMessage | undefined;
  for (let message = await channel.receive(); message; message = await channel.receive()) {
    if (message.type === 'pid') hostPid = Number(message.pid);
    else if (message.type === 'exec' && hostPid !== undefined) signals.setTarget(hostPid);
    else if (message.type === 'error') failure = message as InitErrorMessage;
  }
  return failure;
}

async function startAndWait(spec: RuntimeSpec, options: RunOptions, plan: UserNamespacePlan, bundleDir: string): Promise<number> {
  const signals = forwardSignals();
  try {
    const { channel, exited } = await launchInNamespaces({
      namespaces: launcherNamespaces(spec),
      plan,
      argv: [process.execPath, STAGE2_JS, bundleDir],
      stdio: [options.interactive ? 'inherit' : 'ignore', 'inherit', 'inherit'],
      keepChannel: true,
    });
    const [status, failure] = await Promise.all([exited, followInit(channel, signals)]);
    if (failure) throw new RootlessError(failure.message, { exitCode: failure.exitCode, remedy: remedyFor(failure) });
    return status;
  } finally {
    signals.stop();
  }
}

export async function runContainer(options: RunOptions): Promise<number> {
  const plan = defaultUserNamespace();
  if (plan.warning) process.stderr.write(`WARN: ${plan.warning}\n`);
  const image = await openImageSource(options.image, options.pull);
  const id = newContainerId();
  const name = options.name ?? id.slice(0, 12);
  if (options.name !== undefined) checkName(options.name);
  const paths = containerPaths(id, image.layers);
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
  });
  checkVolumeSources(spec);
  createContainer(spec, paths, { id, name, image: options.image, created: new Date().toISOString() }, options.network, plan);
  let started = false;
  try {
    const status = await startAndWait(spec, options, plan, paths.bundleDir);
    started = true;
    return status;
  } finally {
    if (options.rm || !started) await removeContainer(paths, plan);
  }
}
