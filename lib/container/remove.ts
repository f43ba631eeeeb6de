// `rm` and `container prune`. `rm -f` ends everything of a running container: PID 1 and stage 1
// (its monitor), then what the monitor would have ended (helper, cgroup), then its files.
import { setTimeout as sleep } from 'node:timers/promises';
import { RootlessError } from '../errors.js';
import { endProcess, signalContainer } from './processes.js';
import { processAlive } from './state.js';
import type { ContainerView } from './status.js';
import { releaseResources, removeContainerFiles, viewContainers } from './view.js';

const STAGE1_EXIT_WAIT_MS = 5000;

export async function removeContainer(view: ContainerView, force: boolean): Promise<void> {
  const { state } = view;
  if (view.status === 'running') {
    if (!force) {
      throw new RootlessError(`container ${state.name} is running`, { remedy: `Stop it first (rootless stop ${state.name}) or remove it with rm -f` });
    }
    signalContainer(state, 9);
    // the monitor exits once PID 1 has; if it does not, it is ended too
    const deadline = Date.now() + STAGE1_EXIT_WAIT_MS;
    while (processAlive(state.pid, state.pidStart) && Date.now() < deadline) await sleep(20);
    endProcess(state.pid, state.pidStart, 'SIGKILL');
  }
  releaseResources(state);
  await removeContainerFiles(state);
}

/** Removes every container that is not running; returns their ids. */
export async function pruneContainers(): Promise<string[]> {
  const removed: string[] = [];
  for (const view of await viewContainers()) {
    if (view.status === 'running') continue;
    await removeContainer(view, false);
    removed.push(view.state.id);
  }
  return removed;
}
