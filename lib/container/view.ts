// What every lifecycle command reads first: each container's status, after the lazy clean-up.
// A monitor killed by SIGKILL writes no exit record: the next command notices (stage 1 gone, no
// record), records the best-known status (137: its PID 1 died with it, by its parent-death signal),
// and ends what the monitor would have ended. After any exit it does what the monitor cannot
// (it can no longer fork): the helper's state dir, the cgroup, and --rm's removal.
import { existsSync, readdirSync, rmSync, rmdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { RootlessError } from '../errors.js';
import { sweepStateDirs } from '../net/helper.js';
import { endProcess, signalContainer } from './processes.js';
import { statusOf, type ContainerView } from './status.js';
import {
  bundleDirOfState, containersDir, stateFile, processAlive, readContainerStates, readExitRecord, writeExitRecord, type ContainerState, type ExitRecord,
} from './state.js';

/** The status a container has when its monitor vanished without a record. */
export const LOST_EXIT_CODE = 137;

/** Ends what a detached container's monitor ends; safe to repeat. */
export function releaseResources(state: ContainerState): void {
  signalContainer(state, 9); // a PID 1 that outlived stage 1
  endProcess(state.helperPid, state.helperStart);
  if (state.helperStateDir) rmSync(state.helperStateDir, { recursive: true, force: true });
  if (state.cgroup) {
    try {
      rmdirSync(state.cgroup);
    } catch {
      // gone already, or still busy: tried again by the next command
    }
  }
}

/** Removes the container's writable layer and bundle (files of subordinate ids through a user namespace). */
export async function removeContainerFiles(state: ContainerState): Promise<void> {
  const [{ removeAsNamespaceRoot }, { storageDirOf }] = await Promise.all([import('../runtime/remove.js'), import('../runtime/container-paths.js')]);
  await removeAsNamespaceRoot([storageDirOf(state.id)]);
  rmSync(bundleDirOfState(state), { recursive: true, force: true });
}

/** One container's status; records a lost exit and cleans up after an exited one. */
export async function viewContainer(state: ContainerState): Promise<ContainerView | undefined> {
  let exit = readExitRecord(state);
  const alive = processAlive(state.pid, state.pidStart);
  if (!exit && state.pid && !alive) {
    exit = { exitCode: LOST_EXIT_CODE, finishedAt: new Date().toISOString(), lost: true } satisfies ExitRecord;
    try {
      writeExitRecord(bundleDirOfState(state), exit);
    } catch {
      return undefined; // removed meanwhile (--rm)
    }
  }
  if (exit && !alive) {
    releaseResources(state);
    if (state.autoRemove && state.detached) {
      await removeContainerFiles(state);
      return { state, status: 'exited', exit, removed: true };
    }
  }
  return { state, status: statusOf(exit, alive), exit };
}

/** The view of a container by name or id prefix (RootlessError 125 when there is none). */
export async function findContainerView(nameOrIdPrefix: string): Promise<ContainerView> {
  const { findContainer } = await import('./lookup.js');
  const view = await viewContainer(findContainer(nameOrIdPrefix));
  if (!view || view.removed) throw new RootlessError(`no such container: ${nameOrIdPrefix}`, { remedy: 'It was started with --rm and has exited' });
  return view;
}

/** A bundle without state.json this old belongs to a `run` killed while it started (as lib/net's state dirs). */
const UNCLAIMED_BUNDLE_MS = 60_000;

function sweepUnclaimedBundles(): void {
  let entries: string[];
  try {
    entries = readdirSync(containersDir());
  } catch {
    return;
  }
  for (const entry of entries) {
    const dir = path.join(containersDir(), entry);
    const stats = statSync(dir, { throwIfNoEntry: false });
    if (!stats?.isDirectory() || existsSync(stateFile(dir)) || Date.now() - stats.mtimeMs < UNCLAIMED_BUNDLE_MS) continue;
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every container's view, newest first (as docker's ps). */
export async function viewContainers(): Promise<ContainerView[]> {
  sweepUnclaimedBundles();
  sweepStateDirs();
  const states = readContainerStates().sort((a, b) => b.created.localeCompare(a.created));
  const views = await Promise.all(states.map(viewContainer));
  return views.filter((view): view is ContainerView => view !== undefined && !view.removed);
}
