// `stop`, `kill` and `wait`. A detached container's monitor is not our child, so its end is seen
// by polling: its exit record appears (or stage 1 vanishes, which view.ts records as lost).
import { constants } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { RootlessError } from '../errors.js';
import { showLogs } from './logs.js';
import { parseSignal, signalContainer } from './processes.js';
import { readContainerState, type ContainerState } from './state.js';
import type { ContainerView } from './status.js';
import { viewContainer } from './view.js';

const POLL_MS = 50;

/** Resolves with the container's view once it has exited (or been removed: undefined), or at `deadline`. */
export async function waitForExit(state: ContainerState, deadline = Infinity): Promise<ContainerView | undefined> {
  for (;;) {
    const current = readContainerState(state.id);
    const view = current && (await viewContainer(current));
    if (!view || view.status !== 'running' || Date.now() >= deadline) return view;
    await sleep(POLL_MS);
  }
}

/** The image's StopSignal, else SIGTERM. */
export function stopSignal(state: ContainerState): number {
  return state.stopSignal ? parseSignal(state.stopSignal) : constants.signals.SIGTERM;
}

/** The stop signal, then SIGKILL after `timeoutSeconds`; resolves once it has exited. */
export async function stopContainer(view: ContainerView, timeoutSeconds: number): Promise<void> {
  if (view.status !== 'running') return; // docker: stopping a stopped container is fine
  signalContainer(view.state, stopSignal(view.state));
  const after = await waitForExit(view.state, Date.now() + timeoutSeconds * 1000);
  if (after?.status !== 'running') return;
  signalContainer(view.state, constants.signals.SIGKILL);
  await waitForExit(view.state, Date.now() + 10_000);
}

export function killContainer(view: ContainerView, signal: string): void {
  const number = parseSignal(signal);
  if (view.status !== 'running' || !signalContainer(view.state, number)) {
    throw new RootlessError(`container ${view.state.name} is not running`, { remedy: 'Start it first: rootless start ' + view.state.name });
  }
}

/** `start -a`: prints the log from `offset` until the container exits; its exit code. */
export async function attachUntilExit(id: string, offset: number, out: (chunk: Buffer) => void): Promise<number> {
  const state = readContainerState(id);
  if (!state) return 0;
  await showLogs(state, { follow: true, fromOffset: offset }, out);
  const view = await viewContainer(state);
  return view ? waitContainer(view) : 0;
}

/** The exit code once the container has exited. */
export async function waitContainer(view: ContainerView): Promise<number> {
  const done = view.status === 'running' ? await waitForExit(view.state) : view;
  return done?.exit?.exitCode ?? 0;
}
