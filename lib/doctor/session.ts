// The user's session: runtime directory (the classic `su`/`sudo -u` problem), lingering, the
// init binary for --init, and the host itself (kernel, distribution, systemd).
import { existsSync, lstatSync } from 'node:fs';
import os from 'node:os';
import type { UserIdentity } from '../runtime/idmap.js';
import { findInitBinary } from '../runtime/init-binary.js';
import { runtimeDir } from '../paths.js';
import { parseOsRelease } from './parse.js';
import { readText } from './read.js';
import type { CheckResult, Distribution, HostInfo, RuntimeDirInfo } from './types.js';

export function gatherDistribution(): Distribution {
  const fields = parseOsRelease(readText('/etc/os-release') ?? readText('/usr/lib/os-release') ?? '');
  return {
    id: fields.ID ?? 'linux',
    idLike: (fields.ID_LIKE ?? '').split(/\s+/).filter(Boolean),
    name: fields.PRETTY_NAME ?? fields.NAME ?? 'Linux',
    version: fields.VERSION_ID ?? '',
  };
}

const machineNames: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64', arm: 'armv7l', ia32: 'i686' };

export function gatherHost(): HostInfo['host'] {
  return {
    kernel: os.release(),
    arch: machineNames[process.arch] ?? process.arch,
    distribution: gatherDistribution(),
    // sd_booted(): systemd is the init system.
    systemd: existsSync('/run/systemd/system'),
  };
}

export function gatherRuntimeDir(user: UserIdentity, env: NodeJS.ProcessEnv = process.env): RuntimeDirInfo {
  const xdg = env.XDG_RUNTIME_DIR || null;
  let xdgOwner: number | null = null;
  let xdgMode: string | null = null;
  if (xdg) {
    try {
      const stats = lstatSync(xdg);
      if (stats.isDirectory()) {
        xdgOwner = stats.uid;
        xdgMode = (stats.mode & 0o7777).toString(8).padStart(4, '0');
      }
    } catch {
      // does not exist
    }
  }
  const loginPath = `/run/user/${user.uid}`;
  let usable = false;
  try {
    usable = lstatSync(loginPath).uid === user.uid;
  } catch {
    usable = false;
  }
  return { dir: runtimeDir(env), xdgRuntimeDir: xdg, xdgOwner, xdgMode, loginDir: { path: loginPath, usable } };
}

export function gatherInit(): HostInfo['init'] {
  return findInitBinary() ?? { name: 'none', path: null };
}

export function gatherLinger(user: UserIdentity, systemd: boolean): boolean | null {
  return systemd ? existsSync(`/var/lib/systemd/linger/${user.name}`) : null;
}

/** The way to a runtime directory of one's own, for this host. */
function runtimeDirFix(info: HostInfo): string {
  const { user, runtime, host } = info;
  if (runtime.loginDir.usable) return `export XDG_RUNTIME_DIR=${runtime.loginDir.path}`;
  if (host.systemd) {
    return `log in as ${user.name} with a real session (ssh ${user.name}@localhost, or sudo machinectl shell ${user.name}@) instead of su/sudo -u; without a login: sudo loginctl enable-linger ${user.name}`;
  }
  return `sudo install -d -m 700 -o ${user.uid} -g ${user.gid} ${runtime.loginDir.path} && export XDG_RUNTIME_DIR=${runtime.loginDir.path}`;
}

export function checkRuntimeDir(info: HostInfo): CheckResult {
  const { user, runtime } = info;
  const result = { id: 'runtime-dir', title: 'XDG_RUNTIME_DIR' } as const;
  if (user.root) return { ...result, status: 'ok', detail: `root keeps container state in ${runtime.dir}` };
  const xdg = runtime.xdgRuntimeDir;
  if (!xdg) {
    return {
      ...result,
      status: 'warn',
      detail: `not set (usual after su or sudo -u): container state goes to ${runtime.dir}, which sessions with XDG_RUNTIME_DIR set do not see`,
      fix: runtimeDirFix(info),
    };
  }
  if (runtime.xdgOwner === null) {
    return { ...result, status: 'fail', detail: `${xdg} does not exist`, fix: runtimeDirFix(info) };
  }
  if (runtime.xdgOwner !== user.uid) {
    return {
      ...result,
      status: 'fail',
      detail: `${xdg} belongs to uid ${runtime.xdgOwner}, not ${user.name} (inherited through su or sudo -u?)`,
      fix: runtimeDirFix(info),
    };
  }
  if (runtime.xdgMode !== '0700') {
    return { ...result, status: 'warn', detail: `${xdg} has mode ${runtime.xdgMode}; other users can read container state`, fix: `chmod 700 ${xdg}` };
  }
  return { ...result, status: 'ok', detail: `${xdg} (owned by ${user.name}, 0700)` };
}

export function checkLinger(info: HostInfo): CheckResult {
  const result = { id: 'linger', title: 'lingering' } as const;
  if (info.linger === null) return { ...result, status: 'ok', detail: 'no systemd: nothing stops your processes at logout' };
  if (info.user.root || info.linger) return { ...result, status: 'ok', detail: 'detached containers keep running after logout' };
  return {
    ...result,
    status: 'warn',
    detail: 'systemd stops your processes at logout, detached containers included',
    fix: `sudo loginctl enable-linger ${info.user.name}`,
  };
}

export function checkInit(info: HostInfo): CheckResult {
  const { name, path } = info.init;
  return {
    id: 'init',
    title: 'init for --init',
    ...(path
      ? { status: 'ok' as const, detail: `${name} (${path})` }
      : { status: 'warn' as const, detail: 'neither catatonit nor tini-static is installed: `run --init` fails', fix: 'sudo apt install catatonit' }),
  };
}

/** Overlayfs with userxattr in a user namespace needs 5.11; ID-mapped mounts 5.12 (tmpfs 6.3). */
export function checkKernel(info: HostInfo): CheckResult {
  const [major = 0, minor = 0] = info.host.kernel.split(/[.-]/).map(Number);
  const result = { id: 'kernel', title: 'kernel' } as const;
  const atLeast = (a: number, b: number) => major > a || (major === a && minor >= b);
  if (!atLeast(5, 11)) {
    return {
      ...result,
      status: 'fail',
      detail: `Linux ${info.host.kernel}: overlayfs inside a user namespace needs 5.11 or later`,
      fix: "install and boot your distribution's newer kernel (>= 5.11)",
    };
  }
  return { ...result, status: 'ok', detail: `Linux ${info.host.kernel} ${info.host.arch} (${info.host.distribution.name})` };
}
