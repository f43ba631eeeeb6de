// The `rootless run` flags of the "safe by default" set: capabilities, seccomp, no_new_privs,
// read-only root, rlimits, resource limits and the cgroup namespace. Kept apart from
// run-options.ts, which spreads them into its flag table and its defaults.
import type { RunFlag } from './run-options.js';

export type CgroupnsMode = 'host' | 'private';

export interface SecurityRunOptions {
  capAdd: string[];
  capDrop: string[];
  privileged: boolean;
  securityOpt: string[];
  readOnly: boolean;
  ulimit: string[];
  pidsLimit?: string;
  memory?: string;
  cpus?: string;
  cgroupns: CgroupnsMode;
}

export const securityRunFlags: readonly RunFlag[] = [
  { name: 'cap-add', key: 'capAdd', type: 'array', describe: 'Add a capability (NET_ADMIN, CAP_SYS_PTRACE, ALL)' },
  { name: 'cap-drop', key: 'capDrop', type: 'array', describe: 'Drop a capability (CHOWN, ALL)' },
  { name: 'privileged', key: 'privileged', type: 'boolean', describe: 'Every capability of the user namespace, no seccomp, no masked paths (still unprivileged on the host)' },
  { name: 'security-opt', key: 'securityOpt', type: 'array', describe: 'no-new-privileges, seccomp=unconfined or seccomp=PROFILE.json' },
  { name: 'read-only', key: 'readOnly', type: 'boolean', describe: 'Mount the root filesystem read-only' },
  { name: 'ulimit', key: 'ulimit', type: 'array', describe: 'Set a resource limit: NAME=SOFT[:HARD] (nofile, nproc, core…)' },
  { name: 'pids-limit', key: 'pidsLimit', type: 'string', describe: 'Limit the number of processes (cgroup v2, delegated)' },
  { name: 'memory', key: 'memory', alias: 'm', type: 'string', describe: 'Limit memory: 512m, 2g (cgroup v2, delegated)' },
  { name: 'cpus', key: 'cpus', type: 'string', describe: 'Limit CPU time: 1.5 CPUs (cgroup v2, delegated)' },
  { name: 'cgroupns', key: 'cgroupns', type: 'string', choices: ['host', 'private'], describe: 'cgroup namespace: private (default) or host' },
];

export function defaultSecurityRunOptions(): SecurityRunOptions {
  return { capAdd: [], capDrop: [], privileged: false, securityOpt: [], readOnly: false, ulimit: [], cgroupns: 'private' };
}
