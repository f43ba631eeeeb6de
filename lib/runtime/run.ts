// `rootless run`: stage 1 (namespaces) → image → network + bundle → stage 2 (root, ids, exec).
// Stage 1 is launched first, before this process even loads the image side: stage 2's Node takes
// ~100 ms to start, and meanwhile the CLI finds (or pulls) the image, the network helper connects
// stage 1's network namespace, and the CLI builds the spec and writes the bundle; `start` follows
// once all is done, so the command starts networked. Any failure before `start` kills stage 1,
// which has created nothing but its namespaces.
// As real root, the CLI also mounts the image's layers (stored with their real owners) ID-mapped
// through stage 1's user namespace and hands them to stage 2 (idmapped-mounts.ts), as it does
// for `-v …:idmap` volumes; `--userns`/`--uidmap` choose the namespace's maps (userns-plan.ts).
// The CLI stays the container's parent: it forwards SIGINT/SIGTERM/SIGHUP/SIGQUIT to the
// container's process, returns its exit status, and with --rm removes its directories. If the CLI
// is killed, the parent-death signals of stage 1 (setpriv) and of stage 2 end the container; its
// mounts live only in its own mount namespace. With -d (detached.ts) the CLI leaves once the
// command runs, and stage 1's shell stays as the container's monitor.
import { closeSync } from 'node:fs';
import os from 'node:os';
import { RootlessError } from '../errors.js';
import { installedFile } from '../paths.js';
import type { RunningNetwork } from '../net/index.js';
import type { ContainerPaths } from '../spec/build.js';
import { containerHostname, containerNamespaces } from '../spec/namespaces.js';
import type { RunOptions } from '../spec/run-options.js';
import { parseVolume } from '../spec/flag-values.js';
import { parseResources } from '../spec/resources.js';
import { containerPaths, newContainerId } from './container-paths.js';
import { TERMINAL_FD } from './channel.js';
import { forwardSignals, initFailure, openTerminalSocket, superviseInit } from './init-session.js';
import { writeExitRecord } from '../container/state.js';
import { startStage1 } from './early-stage1.js';
import type { NamespaceKind, Stage1 } from './launcher.js';
import { stage1Mode } from './detached.js';
import { containerUserNamespace } from './userns-plan.js';
import { mark, timingEnv } from '../timing.js';

// one file (scripts/bundle.mjs): stage 2's start is on the critical path
export const STAGE2_JS = installedFile('runtime/stage2.bundle.js');

async function abort(launched: Stage1): Promise<void> {
  launched.kill();
  await launched.exited.catch(() => undefined);
}

export async function runContainer(flags: RunOptions): Promise<number> {
  mark('run');
  const userns = await containerUserNamespace(flags);
  const { plan } = userns;
  if (plan.warning) process.stderr.write(`WARN: ${plan.warning}\n`);
  const options = { ...flags, user: flags.user ?? userns.defaultUser };
  // real root's layers are owned by their real ids: each container mounts them ID-mapped
  const idmappedLayers = process.getuid?.() === 0;
  const mountSender = idmappedLayers || options.volume.some((volume) => parseVolume(volume).idmap) ? (await import('./idmapped-mounts.js')).createMountSender() : undefined;
  const id = newContainerId();
  const resources = parseResources(options);
  const limits = Object.keys(resources).length ? (await import('./resource-limits.js')).startResourceLimits(resources, id) : undefined;
  const hostname = containerHostname(options, id, os.hostname());
  if (options.tty && options.detach) {
    throw new RootlessError('-t with -d is not supported yet: nothing would hold the terminal of a detached container', {
      remedy: 'Run it without -t, and use `rootless exec -it CONTAINER sh` for a terminal inside',
    });
  }
  const signals = forwardSignals();
  const terminal = options.tty ? await openTerminalSocket(options.interactive) : undefined;
  // the monitor records the exit; with -d the container outlives this process, logging to its bundle
  const stage1 = await stage1Mode(id, options);
  let paths: ContainerPaths | undefined;
  let bundle: typeof import('./bundle.js') | undefined;
  let network: Promise<RunningNetwork> | undefined;
  let started = false;
  // the rest of the CLI's path loads while stage 1 is adopted or launched and its maps written
  const loading = Promise.all([import('../spec/image-source.js'), import('./network-setup.js'), import('./prepare.js'), import('./bundle.js'), import('../net/index.js')]);
  loading.catch(() => undefined); // awaited below
  try {
    const launched = await startStage1({
      namespaces: containerNamespaces(options.network, options.cgroupns).map((type): NamespaceKind => (type === 'network' ? 'net' : type)),
      plan,
      argv: [process.execPath, STAGE2_JS],
      // with -t, stage 2 connects the process to the container's terminal instead
      stdio: stage1.stdio ?? [options.interactive && !terminal ? 'inherit' : 'ignore', 'inherit', 'inherit'],
      monitor: stage1.monitor,
      output: stage1.output,
      detached: stage1.detached,
      cwd: stage1.cwd,
      keepChannel: true,
      startEarly: true,
      // an early stage 1 (bin/rootless) has no such fds: it is dismissed
      extraFds: terminal ? { ...mountSender?.childFds, [TERMINAL_FD]: terminal.childEnd } : mountSender?.childFds,
      // stage 2 is Node: the user's NODE_OPTIONS and friends must not reach it (the container's
      // environment comes from the spec)
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...timingEnv() },
    }, limits?.launcher).finally(() => terminal && closeSync(terminal.childEnd));
    mountSender?.closeChildEnd();
    mark('maps written');
    try {
      const [{ openImageSource }, { parseNetworkOptions, reserveNetworkPorts, writeNetworkFiles }, { prepareContainer }, bundleModule, { startNetwork }] = await loading;
      const networkRequest = parseNetworkOptions(options);
      mark('image side loaded');
      const image = await openImageSource(options.image, options.pull);
      mark('image found');
      const ports = await reserveNetworkPorts(networkRequest, options.publishAll, image.config);
      paths = containerPaths(id, image.layers, idmappedLayers);
      // the helper comes up while the bundle is written (its own process: no event loop needed)
      const pid = launched.pid;
      network = startNetwork(networkRequest.mode, pid, { ports, hostname, detached: options.detach });
      network.catch(() => undefined); // awaited below, after the bundle
      bundle = bundleModule;
      const spec = prepareContainer({ id, options, image, paths, plan, pid, ports, record: { detached: options.detach, autoRemove: options.rm, keepStdin: options.interactive, cgroup: limits?.dir } });
      await userns.release(); // the bundle records the maps now
      mountSender?.send(spec, pid);
      mark('bundle written');
      writeNetworkFiles(paths.bundleDir, await network, hostname);
      mark('network up');
    } catch (error) {
      await abort(launched);
      throw error;
    }
    launched.channel.send({ type: 'start', bundle: paths.bundleDir, stdin: options.interactive ? 'inherit' : 'null' });
    const [status, failure] = options.detach
      ? [0, await (await import('./detached.js')).followDetached(launched, id, await network)]
      : await superviseInit(launched.exited, launched.channel, signals, terminal);
    mark('container exited');
    // an adopted stage 1 (early-stage1.ts) runs no monitor: the exit is recorded here
    if (!options.detach && !launched.monitored) writeExitRecord(paths.bundleDir, { exitCode: status, finishedAt: new Date().toISOString() });
    if (failure) throw initFailure(failure);
    started = true;
    if (options.detach) process.stdout.write(`${id}\n`);
    return status;
  } finally {
    mountSender?.close();
    await userns.release();
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
