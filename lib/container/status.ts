// A container's status from its records (pure): docker's words and `ps` phrases.
import type { ContainerState, ExitRecord } from './state.js';

export type ContainerStatus = 'created' | 'running' | 'exited';

export interface ContainerView {
  state: ContainerState;
  status: ContainerStatus;
  exit?: ExitRecord;
  /** An exited --rm container whose files this command has just removed. */
  removed?: boolean;
}

/** The monitor's exit record wins; else a live stage 1 runs it; else it never started (view.ts records a lost exit). */
export function statusOf(exit: ExitRecord | undefined, stage1Alive: boolean): ContainerStatus {
  if (exit) return 'exited';
  if (stage1Alive) return 'running';
  return 'created';
}

/** Docker's "About a minute", "3 minutes", "2 hours"… for a duration in milliseconds. */
export function humanDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 1) return 'Less than a second';
  if (seconds < 60) return seconds === 1 ? '1 second' : `${seconds} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(seconds / 3600);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  const days = Math.floor(hours / 24);
  if (days < 14) return `${days} days`;
  if (days < 60) return `${Math.floor(days / 7)} weeks`;
  if (days < 730) return `${Math.floor(days / 30)} months`;
  return `${Math.floor(days / 365)} years`;
}

/** `Up 3 minutes`, `Exited (0) 2 seconds ago`, `Created`. */
export function statusText(view: Pick<ContainerView, 'status' | 'exit' | 'state'>, now: number): string {
  if (view.status === 'running') return `Up ${humanDuration(now - Date.parse(view.state.startedAt ?? view.state.created))}`;
  if (view.status === 'exited' && view.exit) return `Exited (${view.exit.exitCode}) ${humanDuration(now - Date.parse(view.exit.finishedAt))} ago`;
  return 'Created';
}
