// `rootless run`: stage 1 (namespaces) → image → network + bundle → stage 2 (root, ids, exec).
// Stage 1 is launched first, before this process even loads the image side: stage 2's Node takes
// ~100 ms to start, and meanwhile the CLI finds (or pulls) the image, the network helper connects
// stage 1's network namespace, and the CLI builds the spec and writes the bundle; `start` follows
// once all is done, so the command starts networked. Any failure before `start` kills stage 1,
// which has created nothing but its namespaces.
// The CLI stays the container's parent: it forwards SIGINT/SIGTERM/SIGHUP/SIGQUIT to the
// container's process, returns its exit status, and with --rm removes its directories. If the CLI
// is killed, the parent-death signals of stage 1 (setpriv) and of stage 2 end the container; its
// mounts live only in its own mount namespace.
import { closeSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { RunningNetwork } from '../net/index.js';
import type { ContainerPaths } from '../spec/build.js';
import { containerHostname, containerNamespaces } from '../spec/namespaces.js';
import type { RunOptions } from '../spec/run-options.js';
import { parseResources } from '../spec/resources.js';
import { bundleDirOf, containerPaths, newContainerId } from './container-paths.js';
import { defaultUserNamespace } from './idmap.js';
import { forwardSignals, openTerminalSocket, superviseInit } from './init-session.js';
import { launchInNamespaces, type Launched, type NamespaceKind } from './launcher.js';

const STAGE2_JS = fileURLToPath(new URL('./stage2.js', import.meta.url));

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
  const terminal = options.tty ? openTerminalSocket(options.interactive) : undefined;
  let paths: ContainerPaths | undefined;
  let bundle: typeof import('./bundle.js') | undefined;
  let network: Promise<RunningNetwork> | undefined;
  let started = false;
  try {
    const launched = await launchInNamespaces({
      namespaces: containerNamespaces(options.network, options.cgroupns).map((type): NamespaceKind => (type === 'network' ? 'net' : type)),
      plan,
      argv: [process.execPath, STAGE2_JS, bundleDirOf(id)],
      // with -t, stage 2 connects the process to the container's terminal instead
      stdio: [options.interactive && !terminal ? 'inherit' : 'ignore', 'inherit', 'inherit'],
      extraFds: terminal ? [terminal.childEnd] : [],
      keepChannel: true,
      startEarly: true,
      // stage 2 is Node: the user's NODE_OPTIONS and friends must not reach it (the container's
      // environment comes from the spec)
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    }, limits?.launcher).finally(() => terminal && closeSync(terminal.childEnd));
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
      network = import('../net/index.js').then(({ startNetwork }) => startNetwork(networkRequest.mode, pid, { ports, hostname }));
      network.catch(() => undefined); // awaited below, after the bundle
      const { prepareContainer } = await import('./prepare.js');
      bundle = await import('./bundle.js');
      prepareContainer({ id, options, image, paths, plan, pid, ports });
      writeNetworkFiles(paths.bundleDir, await network, hostname);
    } catch (error) {
      await abort(launched);
      throw error;
    }
    launched.channel.send({ type: 'start' });
    const status = await superviseInit(launched.exited, launched.channel, signals, terminal);
    started = true;
    return status;
  } finally {
    signals.stop();
    limits?.remove();
    await network?.then((running) => running.stop(), () => undefined);
    if (bundle && paths && (options.rm || !started)) await bundle.removeContainer(paths, plan);
  }
}
