// `rootless start`: runs a stopped container again from its bundle (config.json, its upper dir
// kept) with a fresh stage 1, detached, its network reconnected with the same published ports.
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { RootlessError } from '../errors.js';
import type { RunningNetwork } from '../net/driver.js';
import { processStart } from '../net/helper.js';
import { parseNetwork } from '../net/options.js';
import { defaultIsPasta } from '../net/preflight.js';
import type { RuntimeSpec } from '../spec/oci.js';
import { bundleDirOfState, exitFile, writeContainerState, type ContainerState } from '../container/state.js';
import type { ContainerView } from '../container/status.js';
import { followDetached, stage1Mode } from './detached.js';
import { createMountSender } from './idmapped-mounts.js';
import { idmappedMountsOf } from './layer-mounts.js';
import { launchInNamespaces, type NamespaceKind } from './launcher.js';
import { writeNetworkFiles } from './network-setup.js';
import { initFailure } from './init-session.js';
import { STAGE2_JS } from './run.js';

export async function startContainer(view: ContainerView): Promise<void> {
  if (view.status === 'running') return;
  // a container first run in the foreground runs detached from now on (its output goes to the log)
  const state: ContainerState = { ...view.state, detached: true, pid: undefined, pidStart: undefined, initPid: undefined, helperPid: undefined };
  const bundleDir = bundleDirOfState(state);
  // no stage 1 and no exit record: "created" while this starts (never "lost")
  writeContainerState(state);
  rmSync(exitFile(bundleDir), { force: true });
  const spec = JSON.parse(readFileSync(path.join(bundleDir, 'config.json'), 'utf8')) as RuntimeSpec;
  // the maps it was created with (its upper dir's files are in that range)
  const plan = { uidMappings: spec.linux.uidMappings, gidMappings: spec.linux.gidMappings };
  // real root's layers (and :idmap volumes) are mounted ID-mapped again for the new stage 1
  const mountSender = idmappedMountsOf(spec) ? createMountSender() : undefined;
  const resources = spec.linux.resources;
  const limits = resources ? (await import('./resource-limits.js')).startResourceLimits(resources, state.id) : undefined;
  const stage1 = await stage1Mode(state.id, { detach: true, interactive: state.keepStdin ?? false });
  let network: RunningNetwork | undefined;
  let started = false;
  try {
    const launched = await launchInNamespaces({
      namespaces: spec.linux.namespaces.map(({ type }): NamespaceKind => (type === 'network' ? 'net' : (type as NamespaceKind))),
      plan,
      argv: [process.execPath, STAGE2_JS],
      stdio: stage1.stdio!,
      keepChannel: true,
      startEarly: true,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      monitor: stage1.monitor,
      output: stage1.output,
      detached: true,
      cwd: stage1.cwd,
      extraFds: mountSender?.childFds,
    }, limits?.launcher);
    mountSender?.closeChildEnd();
    const pid = launched.pid;
    try {
      const { startNetwork } = await import('../net/index.js');
      network = await startNetwork(parseNetwork(state.network, () => defaultIsPasta(true)), pid, { ports: state.ports, hostname: spec.hostname, detached: true });
      writeNetworkFiles(bundleDir, network, spec.hostname);
      mountSender?.send(spec, pid);
      writeContainerState({ ...state, pid, pidStart: processStart(pid), startedAt: new Date().toISOString(), cgroup: limits?.dir });
    } catch (error) {
      launched.kill();
      await launched.exited.catch(() => undefined);
      throw error;
    }
    launched.channel.send({ type: 'start', bundle: bundleDir, stdin: 'inherit' }); // stage 1's stdin is already the container's
    const failure = await followDetached(launched, state.id, network);
    if (failure) throw initFailure(failure);
    started = true;
  } catch (error) {
    if (error instanceof RootlessError) throw error;
    throw new RootlessError(`cannot start container ${state.name}: ${(error as Error).message}`, { cause: error });
  } finally {
    mountSender?.close();
    stage1.close(true);
    if (!started) {
      limits?.remove();
      await network?.stop();
    }
  }
}
