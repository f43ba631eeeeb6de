// `rootless top`: the container's processes, host pids, as `ps -f` prints them.
import { readFileSync } from 'node:fs';
import { formatTable } from './ps.js';
import { containerPids } from './processes.js';
import type { ContainerState } from './state.js';

function processRow(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const uid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '?';
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    return [uid, String(pid), fields[1]!, args || `[${comm}]`];
  } catch {
    return undefined; // ended meanwhile
  }
}

/** UID (the host's), PID, PPID, CMD of every process in the container's pid namespace. */
export function topText(state: ContainerState): string {
  const rows = containerPids(state)
    .map(processRow)
    .filter((row): row is string[] => row !== undefined);
  return formatTable(['UID', 'PID', 'PPID', 'CMD'], rows);
}
