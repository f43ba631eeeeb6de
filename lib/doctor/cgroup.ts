// cgroups: which version the host runs and which controllers this user may use, which decides
// whether --memory, --cpus and --pids-limit can apply.
import { statfsSync } from 'node:fs';
import path from 'node:path';
import { parseControllerList, parseProcCgroup } from './parse.js';
import { isWritable, readText } from './read.js';
import type { CgroupInfo, CheckResult, HostInfo } from './types.js';

const CGROUP2_SUPER_MAGIC = 0x63677270;

function isCgroup2(dir: string): boolean {
  try {
    return statfsSync(dir).type === CGROUP2_SUPER_MAGIC;
  } catch {
    return false;
  }
}

/** A cgroup this user can manage: the directory and the files delegation hands over. */
function delegated(dir: string): boolean {
  return ['', 'cgroup.procs', 'cgroup.subtree_control'].every((file) => isWritable(path.join(dir, file)));
}

export function gatherCgroup(): CgroupInfo {
  const version = isCgroup2('/sys/fs/cgroup') ? 'v2' : isCgroup2('/sys/fs/cgroup/unified') ? 'hybrid' : 'v1';
  const own = parseProcCgroup(readText('/proc/self/cgroup') ?? '').unifiedPath;
  if (version === 'v1' || own === undefined) return { version, path: null, controllers: [], writable: false };
  const mount = version === 'v2' ? '/sys/fs/cgroup' : '/sys/fs/cgroup/unified';
  // systemd delegates user@UID.service; our own cgroup is a leaf below it. Walk up to the highest one we may manage.
  let dir = path.resolve(mount, `.${own}`);
  let managed: string | undefined;
  for (let candidate = dir; candidate.startsWith(mount); candidate = path.dirname(candidate)) {
    if (delegated(candidate)) managed = candidate;
    if (candidate === mount) break;
  }
  if (managed) dir = managed;
  return {
    version,
    path: dir,
    controllers: parseControllerList(readText(path.join(dir, 'cgroup.controllers')) ?? ''),
    writable: managed !== undefined,
  };
}

const limitControllers = ['cpu', 'memory', 'pids'];
const delegateDropIn =
  "sudo mkdir -p /etc/systemd/system/user@.service.d && printf '[Service]\\nDelegate=cpu cpuset io memory pids\\n' | " +
  'sudo tee /etc/systemd/system/user@.service.d/delegate.conf && sudo systemctl daemon-reload (then log out and in)';

export function checkCgroup(info: HostInfo): CheckResult {
  const { cgroup, host, user } = info;
  const result = { id: 'cgroup', title: 'cgroups' } as const;
  const noLimits = 'resource limits (--memory, --cpus, --pids-limit) cannot apply';
  if (cgroup.version !== 'v2') {
    return {
      ...result,
      status: 'warn',
      detail: `cgroup ${cgroup.version === 'hybrid' ? 'v1 with an empty v2 hierarchy (hybrid)' : 'v1'}: ${noLimits}`,
      fix: host.systemd
        ? 'add systemd.unified_cgroup_hierarchy=1 to GRUB_CMDLINE_LINUX in /etc/default/grub, then sudo update-grub and reboot'
        : 'boot with cgroup_no_v1=all on the kernel command line and mount cgroup2 at /sys/fs/cgroup',
    };
  }
  const missing = limitControllers.filter((name) => !cgroup.controllers.includes(name));
  if (!cgroup.writable || missing.length > 0) {
    const why = !cgroup.writable ? `${cgroup.path} is not delegated to ${user.name}` : `controllers ${missing.join(', ')} are not delegated`;
    return {
      ...result,
      status: 'warn',
      detail: `cgroup v2, but ${why}: ${noLimits}`,
      fix: host.systemd ? delegateDropIn : `sudo mkdir /sys/fs/cgroup/${user.name} && sudo chown -R ${user.name}: /sys/fs/cgroup/${user.name} (and start rootless from a shell moved into it)`,
    };
  }
  return { ...result, status: 'ok', detail: `cgroup v2, ${cgroup.path} delegated with ${cgroup.controllers.join(' ')}` };
}
