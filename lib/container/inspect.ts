// `rootless inspect`: a JSON array shaped like podman's (the fields scripts read most).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RuntimeSpec } from '../spec/oci.js';
import { bundleDirOfState, logFile } from './state.js';
import type { ContainerView } from './status.js';
import { containerInitPid } from './processes.js';

function readSpec(bundleDir: string): RuntimeSpec | undefined {
  try {
    return JSON.parse(readFileSync(path.join(bundleDir, 'config.json'), 'utf8')) as RuntimeSpec;
  } catch {
    return undefined;
  }
}

export function inspectRecord(view: ContainerView): Record<string, unknown> {
  const { state, exit } = view;
  const bundleDir = bundleDirOfState(state);
  const spec = readSpec(bundleDir);
  const running = view.status === 'running';
  return {
    Id: state.id,
    Created: state.created,
    Path: state.command?.[0] ?? '',
    Args: state.command?.slice(1) ?? [],
    State: {
      Status: view.status,
      Running: running,
      Pid: running ? (containerInitPid(state) ?? 0) : 0,
      MonitorPid: running ? state.pid : 0,
      ExitCode: exit?.exitCode ?? 0,
      StartedAt: state.startedAt ?? '',
      FinishedAt: exit?.finishedAt ?? '',
      ...(exit?.lost ? { Error: 'the monitor ended without recording the exit' } : {}),
    },
    Image: state.image,
    Name: state.name,
    Bundle: bundleDir,
    LogPath: state.detached ? logFile(bundleDir) : '',
    Config: {
      Hostname: spec?.hostname ?? '',
      User: spec ? `${spec.process.user.uid}:${spec.process.user.gid}` : '',
      Env: spec?.process.env ?? [],
      Cmd: state.command ?? [],
      WorkingDir: spec?.process.cwd ?? '',
      StopSignal: state.stopSignal ?? 'SIGTERM',
    },
    HostConfig: { AutoRemove: state.autoRemove ?? false, NetworkMode: state.network ?? 'private' },
    NetworkSettings: {
      Ports: Object.fromEntries(
        (state.ports ?? []).map((port) => [`${port.containerPort}/${port.protocol}`, [{ HostIp: port.hostIP, HostPort: String(port.hostPort) }]]),
      ),
    },
  };
}
