// The process of `rootless exec`: the container's process (config.json) with the exec request's
// command, user, working directory and environment. Pure: the exec stage reads the container's
// /etc/passwd and /etc/group from inside the container and passes their text in.
import { processCapabilities, type LinuxCapabilities } from '../runtime/capabilities.js';
import { envValue, mergeEnv, parseUserSpec } from './flag-values.js';
import type { RuntimeSpec, SpecUser } from './oci.js';
import { parseGroup, parsePasswd, resolveUser } from './passwd.js';

/** What the CLI sends the exec stage (`-e` and `--env-file` already resolved against its environment). */
export interface ExecRequest {
  args: string[];
  env: string[];
  user?: string;
  workdir?: string;
  tty: boolean;
  privileged: boolean;
}

export type SpecProcess = RuntimeSpec['process'];

/**
 * The container's sets for its own user; for another user, the container's bounding set, all of
 * it effective for root and none for others (as `run -u` without --cap-add); --privileged: every
 * capability of the user namespace.
 */
export function execCapabilities(container: SpecProcess, user: SpecUser, privileged: boolean): Partial<LinuxCapabilities> {
  if (privileged) return processCapabilities({ uid: user.uid, privileged: true });
  if (user.uid === container.user.uid) return container.capabilities ?? {};
  const bounding = container.capabilities?.bounding ?? [];
  if (user.uid === 0) return { bounding, effective: bounding, permitted: bounding, inheritable: [], ambient: [] };
  return { bounding, effective: [], permitted: [], inheritable: [], ambient: [] };
}

export function execProcessSpec(container: SpecProcess, request: ExecRequest, passwd: string, group: string): SpecProcess {
  let user: SpecUser = container.user;
  const defaults: string[] = [];
  if (request.user !== undefined) {
    const resolved = resolveUser(parseUserSpec(request.user), parsePasswd(passwd), parseGroup(group));
    user = { uid: resolved.uid, gid: resolved.gid, additionalGids: resolved.additionalGids };
    defaults.push(`HOME=${resolved.home}`);
  }
  if (request.tty && envValue(container.env, 'TERM') === undefined) defaults.push('TERM=xterm');
  return {
    ...container,
    terminal: request.tty,
    user,
    args: request.args,
    env: mergeEnv(container.env, defaults, request.env),
    cwd: request.workdir ?? container.cwd,
    capabilities: execCapabilities(container, user, request.privileged),
  };
}
