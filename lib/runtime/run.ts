// `rootless run`: stage 1 (namespaces) → image → network + bundle → stage 2 (root, ids, exec).
// Stage 1 is launched first, before this process even loads the image side: stage 2's Node takes
// ~100 ms to start, and meanwhile the CLI finds (or pulls) the image, the network helper connects
// stage 1's network namespace, and the CLI builds the spec and writes the bundle; `start` follows
// once all is done, so the command starts networked. Any failure before `start` kills stage 1,
// which has created nothing but its namespaces.
// The CLI stays the container's parent: it forwards SIGINT/SIGTERM/SIGHUP/SIGQUIT to the
// container's process, returns its exit status, and with --rm removes its directories. If the CLI
// is killed, the parent-death signals of stage 1 (setpriv) and of stage 2 end the container; its
// mounts live only in its own mount namespace. With -d (detached.ts) the CLI leaves once the
// command runs, and stage 1's shell stays as the container's monitor.
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { RootlessError } from '../errors.js';
import type { RunningNetwork } from '../net/index.js';
import type { ContainerPaths } from '../spec/build.js';
import { containerHostname, containerNamespaces } from '../spec/namespaces.js';
import type { RunOptions } from '../spec/run-options.js';
import { parseResources } from '../spec/resources.js';
import type { OuterChannel } from './channel.js';
import { bundleDirOf, containerPaths, newContainerId } from './container-paths.js';
import { defaultUserNamespace } from './idmap.js';
import type { InitErrorMessage } from './init-error.js';
import { launchInNamespaces, type Launched, type NamespaceKind } from './launcher.js';
import { stage1Mode } from './detached.js';

const STAGE2_JS = fileURLToPath(new URL('./stage2.js', import.meta.url));
const FORWARDED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

function remedyFor(message: InitErrorMessage): string {
  if (message.exitCode === 127) return 'Check the command name and that the image contains it';
  if (message.exitCode === 126) return 'Check that it is an executable program the container user may run';
  return 'Run `rootless doctor` to check the host, or set ROOTLESS_DEBUG=1 for details';
}

/** Stage 2's failure as the CLI reports it (exit 125, 126 or 127). */
export function initFailure(message: InitErrorMessage): RootlessError {
  return new RootlessError(message.message, { exitCode: message.exitCode, remedy: remedyFor(message) });
}

interface SignalForwarder {
  setTarget(pid: number): void;
  stop(): void;
}

/** Forwards the CLI's signals to the container's command once it runs (init ignores them before). */
function forwardSignals(): SignalForwarder {
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
async function followInit(channel: OuterChannel, signals: SignalForwarder): Promise<InitErrorMessage | undefined> {
  let hostPid: number | undefined;
  let failure: InitErrorMessage | undefined;
  for (let message = await channel.receive(); message; message = await channel.receive()) {
    if (message.type === 'pid') hostPid = Number(message.pid);
    else if (message.type === 'exec' && hostPid !== undefined) signals.setTarget(hostPid);
    else if (message.type === 'error') failure = message as InitErrorMessage;
  }
  return failure;
}

async function abort(launched: Launched): Promise<void> {
  launched.child.kill('SIGKILL');
  await launched.exited.catch(() => undefined);
}

export async function runContainer(options: RunOptions): Promise<number> {
  const plan = defaultUserNamespace();
  if (plan.warning) process.stderr.write(`WARN: ${plan.warning}\n`);
  const id = newContainerId();
  const resources = parseResources(options);
  const limits = Object.keys(resources).length ? (await import('./resource-limits.js')).startResourceLimits(resources, id) : undefined;
  const hostname = containerHostname(options, id, os.hostname());
  const signals = forwardSignals();
  // the monitor records the exit; with -d the container outlives this process, logging to its bundle
  const stage1 = await stage1Mode(id, options);
  let paths: ContainerPaths | undefined;
  let bundle: typeof import('./bundle.js') | undefined;
  let network: Promise<RunningNetwork> | undefined;
  let started = false;
  try {
    const launched = await launchInNamespaces({
      namespaces: containerNamespaces(options.network, options.cgroupns).map((type): NamespaceKind => (type === 'network' ? 'net' : type)),
      plan,
      argv: [process.execPath, STAGE2_JS, bundleDirOf(id)],
      stdio: stage1.stdio ?? [options.interactive ? 'inherit' : 'ignore', 'inherit', 'inherit'],
      monitor: stage1.monitor,
      detached: stage1.detached,
      cwd: stage1.cwd,
      keepChannel: true,
      startEarly: true,
      // stage 2 is Node: the user's NODE_OPTIONS and friends must not reach it (the container's
      // environment comes from the spec)
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    }, limits?.launcher);
    try {
      const [{ openImageSource }, { parseNetworkOptions, reserveNetworkPorts, writeNetworkFiles }] = await Promise.all([
        import('../spec/image-source.js'),
        import('./network-setup.js'),
      ]);
      const networkRequest = parseNetworkOptions(options);
      const image = await openImageSource(options.image, options.pull);
      const ports = await reserveNetworkPorts(networkRequest, options.publishAll, image.config);
      paths = containerPaths(id, image.layers);
      // the helper comes up while the bundle is written (its own process: no event loop needed)
      const pid = launched.child.pid!;
      network = import('../net/index.js').then(({ startNetwork }) => startNetwork(networkRequest.mode, pid, { ports, hostname, detached: options.detach }));
      network.catch(() => undefined); // awaited below, after the bundle
      const { prepareContainer } = await import('./prepare.js');
      bundle = await import('./bundle.js');
      prepareContainer({ id, options, image, paths, plan, pid, ports, record: { detached: options.detach, autoRemove: options.rm, keepStdin: options.interactive, cgroup: limits?.dir } });
      writeNetworkFiles(paths.bundleDir, await network, hostname);
    } catch (error) {
      await abort(launched);
      throw error;
    }
    launched.channel.send({ type: 'start' });
    const [status, failure] = options.detach
      ? [0, await (await import('./detached.js')).followDetached(launched, id, await network)]
      : await Promise.all([launched.exited, followInit(launched.channel, signals)]);
    if (failure) throw initFailure(failure);
    started = true;
    if (options.detach) process.stdout.write(`${id}\n`);
    return status;
  } finally {
    signals.stop();
    stage1.close(started);
    // a detached container's monitor ends its helper; the next command removes its cgroup
    if (!(options.detach && started)) {
      limits?.remove();
      await network?.then((running) => running.stop(), () => undefined);
    }
    if (bundle && paths && ((options.rm && !options.detach) || !started)) await bundle.removeContainer(paths, plan);
  }
}
