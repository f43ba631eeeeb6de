// `rootless ps`: docker's columns (ID, IMAGE, COMMAND, CREATED, STATUS, PORTS, NAMES) or JSON.
import type { PortMapping } from '../net/options.js';
import { humanDuration, statusText, type ContainerView } from './status.js';

export interface PsRow {
  id: string;
  image: string;
  command: string;
  created: string;
  status: string;
  ports: string;
  names: string;
}

/** `0.0.0.0:8080->80/tcp, …` as docker's PORTS column. */
export function portsText(ports: PortMapping[] | undefined): string {
  return (ports ?? []).map((port) => `${port.hostIP.includes(':') ? `[${port.hostIP}]` : port.hostIP}:${port.hostPort}->${port.containerPort}/${port.protocol}`).join(', ');
}

/** The command as docker quotes it, cut to 20 characters unless `full`. */
export function commandText(command: string[] | undefined, full = false): string {
  const text = (command ?? []).join(' ');
  return full || text.length <= 20 ? `"${text}"` : `"${text.slice(0, 19)}…"`;
}

export function psRow(view: ContainerView, now: number): PsRow {
  const { state } = view;
  return {
    id: state.id.slice(0, 12),
    image: state.image,
    command: commandText(state.command),
    created: `${humanDuration(now - Date.parse(state.created))} ago`,
    status: statusText(view, now),
    ports: view.status === 'running' ? portsText(state.ports) : '',
    names: state.name,
  };
}

/** Left-aligned columns three spaces apart, as docker prints them. */
export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]! + 3))).join('').trimEnd();
  return [headers, ...rows].map(line).join('\n') + '\n';
}

export interface PsOptions {
  all?: boolean;
  quiet?: boolean;
  format: 'json' | 'text';
}

export function formatPs(views: ContainerView[], options: PsOptions, now = Date.now()): string {
  const shown = options.all ? views : views.filter((view) => view.status === 'running');
  if (options.quiet) return shown.map((view) => `${view.state.id.slice(0, 12)}\n`).join('');
  if (options.format === 'json') {
    const records = shown.map((view) => ({
      Id: view.state.id,
      Names: [view.state.name],
      Image: view.state.image,
      Command: view.state.command ?? [],
      Created: view.state.created,
      StartedAt: view.state.startedAt,
      State: view.status,
      Status: statusText(view, now),
      ExitCode: view.exit?.exitCode ?? 0,
      Exited: view.status === 'exited',
      Pid: view.status === 'running' ? view.state.pid : 0,
      Ports: view.status === 'running' ? view.state.ports ?? [] : [],
    }));
    return JSON.stringify(records, null, 2) + '\n';
  }
  const rows = shown.map((view) => Object.values(psRow(view, now)));
  return formatTable(['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES'], rows);
}
