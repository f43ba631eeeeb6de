// User namespaces, subordinate ids and the setuid map helpers: what decides whether stage 1 of
// every container can start at all.
import { existsSync, realpathSync, statSync } from 'node:fs';
import { installedFile } from '../paths.js';
import { poolFrom } from '../runtime/id-ranges.js';
import { findHelper, parseSubIdEntries, ROOT_DEFAULT_RANGE, type SubIdEntry, type UserIdentity } from '../runtime/idmap.js';
import { getxattr } from '../sys/xattr.js';
import { installCommand } from './packages.js';
import {
  CAP_SETGID,
  CAP_SETUID,
  freeRange,
  hasCapability,
  idMapCovers,
  mountContaining,
  overlappingEntries,
  parseCapabilityXattr,
  parseIdMap,
  rangeText,
  type MountEntry,
} from './parse.js';
import { readNumber, readText, runCommand } from './read.js';
import type { CheckResult, HostInfo, IdMapHelper, IdMappingInfo, UserNamespaceInfo } from './types.js';

/** Really creates a user namespace with a mount namespace in it (AppArmor's restriction lets the first succeed and denies the second). */
export async function gatherUserNamespaces(): Promise<UserNamespaceInfo> {
  const unshare = findHelper('unshare') ?? null;
  const knobs = {
    maxUserNamespaces: readNumber('/proc/sys/user/max_user_namespaces'),
    unprivilegedUsernsClone: readNumber('/proc/sys/kernel/unprivileged_userns_clone'),
    apparmorRestrictUnprivilegedUserns: readNumber('/proc/sys/kernel/apparmor_restrict_unprivileged_userns'),
    inContainer: existsSync('/.dockerenv') || existsSync('/run/.containerenv'),
    rootRangeMapped: idMapCovers(parseIdMap(readText('/proc/self/uid_map') ?? ''), ROOT_DEFAULT_RANGE),
  };
  if (!unshare) return { unshare, works: false, error: 'unshare (util-linux) not found in PATH', ...knobs };
  const attempt = await runCommand(unshare, ['--user', '--map-root-user', '--mount', '--', '/bin/sh', '-c', 'exit 0']);
  return { unshare, works: attempt.ok, error: attempt.ok ? null : attempt.error, ...knobs };
}

function helperInfo(name: string, capability: number, mounts: MountEntry[]): IdMapHelper {
  const found = findHelper(name);
  if (!found) return { path: null, setuidRoot: false, fileCapability: false, nosuidMount: false };
  const real = realpathSync(found);
  const stats = statSync(real);
  let fileCapability = false;
  try {
    const caps = getxattr(real, 'security.capability');
    const parsed = caps && parseCapabilityXattr(caps);
    fileCapability = parsed ? hasCapability(parsed, capability) : false;
  } catch {
    // no xattr support on this filesystem: no file capabilities either
  }
  return {
    path: found,
    setuidRoot: stats.uid === 0 && (stats.mode & 0o4000) !== 0,
    fileCapability,
    nosuidMount: mountContaining(mounts, real)?.options.includes('nosuid') ?? false,
  };
}

export function gatherIdMapping(user: UserIdentity, mounts: MountEntry[]): IdMappingInfo {
  const isMine = (entry: SubIdEntry) => entry.owner === user.name || entry.owner === String(user.uid);
  const files = ['/etc/subuid', '/etc/subgid'].map((file) => ({ file, entries: parseSubIdEntries(readText(file) ?? '') }));
  const [subuid, subgid] = files.map(({ entries }) => entries.filter(isMine).map(({ start, count }) => ({ start, count })));
  const overlaps = files.flatMap(({ file, entries }) => {
    // Root's containers always use ROOT_DEFAULT_RANGE (root's doctor reports who shares it).
    const mine = user.uid === 0 ? [ROOT_DEFAULT_RANGE] : entries.filter(isMine);
    return overlappingEntries(mine, entries.filter((entry) => !isMine(entry))).map((entry) => ({ ...entry, file }));
  });
  const [uidPool, gidPool] = files.map(({ entries }) => poolFrom(entries));
  return {
    subuid: subuid!,
    subgid: subgid!,
    ...(user.uid === 0 ? { autoPool: { source: uidPool!.source, uids: uidPool!.ranges, gids: gidPool!.ranges } } : {}),
    overlaps,
    // Clear of root's range too: a new range should not be shared with anyone.
    suggestedRange: freeRange([...files.flatMap(({ entries }) => entries), ROOT_DEFAULT_RANGE]),
    newuidmap: helperInfo('newuidmap', CAP_SETUID, mounts),
    newgidmap: helperInfo('newgidmap', CAP_SETGID, mounts),
    trial: null,
  };
}

const persistSysctl = (key: string, value: number) =>
  `echo '${key}=${value}' | sudo tee -a /etc/sysctl.d/99-rootless.conf && sudo sysctl -p /etc/sysctl.d/99-rootless.conf`;

/** The AppArmor profile shipped with rootless: lets util-linux unshare (which creates our namespaces) use them fully. */
export const apparmorProfilePath = installedFile('../../contrib/apparmor/rootless-unshare');

export function checkUserNamespaces(info: HostInfo): CheckResult {
  const userns = info.userNamespaces;
  const result = { id: 'userns', title: 'user namespaces' } as const;
  if (userns.works) {
    return { ...result, status: 'ok', detail: `unshare --user --mount works (max_user_namespaces=${userns.maxUserNamespaces ?? 'unknown'})` };
  }
  const failed = (detail: string, fix: string): CheckResult => ({ ...result, status: 'fail', detail, fix });
  if (!userns.unshare) return failed(userns.error!, installCommand('util-linux', info.host.distribution));
  if (userns.maxUserNamespaces === 0) {
    return failed('user.max_user_namespaces is 0: user namespaces are disabled', persistSysctl('user.max_user_namespaces', 28633));
  }
  if (userns.error?.includes('No space left on device')) {
    // ENOSPC: a user.max_user_namespaces count is used up, here or in an enclosing user namespace.
    return failed(
      `the user namespace limit is reached (user.max_user_namespaces=${userns.maxUserNamespaces}, or a lower limit of an enclosing namespace)`,
      persistSysctl('user.max_user_namespaces', 28633),
    );
  }
  if (userns.unprivilegedUsernsClone === 0) {
    return failed(
      'kernel.unprivileged_userns_clone is 0: this kernel lets only root create user namespaces',
      persistSysctl('kernel.unprivileged_userns_clone', 1),
    );
  }
  if (userns.apparmorRestrictUnprivilegedUserns === 1) {
    return failed(
      `AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns=1; unshare said: ${userns.error})`,
      `sudo install -m 644 ${apparmorProfilePath} /etc/apparmor.d/ && sudo apparmor_parser -r /etc/apparmor.d/rootless-unshare` +
        ` (or, for every program: ${persistSysctl('kernel.apparmor_restrict_unprivileged_userns', 0)})`,
    );
  }
  if (userns.inContainer) {
    return failed(
      `cannot create a user namespace inside this container (${userns.error})`,
      'start the outer container with --security-opt seccomp=unconfined --security-opt apparmor=unconfined (or --privileged)',
    );
  }
  return failed(`cannot create a user namespace: ${userns.error}`, 'check `dmesg` for a security module (SELinux, AppArmor, seccomp) refusing unshare');
}

export function checkSubIds(info: HostInfo): CheckResult {
  const { user, idMapping } = info;
  const result = { id: 'subids', title: 'subordinate ids' } as const;
  const free = rangeText(idMapping.suggestedRange);
  const overlapText = describeOverlaps(idMapping.overlaps);
  if (user.root && !info.userNamespaces.rootRangeMapped) {
    return {
      ...result,
      status: 'fail',
      detail: `this is root of a user namespace without the ids ${rangeText(ROOT_DEFAULT_RANGE)} that root's containers map to (see /proc/self/uid_map)`,
      fix: 'run rootless as an ordinary user with subordinate ids, or as root of a namespace mapping at least 0-165535',
    };
  }
  if (user.root) {
    const pool = idMapping.autoPool;
    const auto = pool ? `; --userns=auto takes ranges from ${pool.source} (uids ${pool.uids.map(rangeText).join(', ')})` : '';
    const detail = `root's containers use ${rangeText(ROOT_DEFAULT_RANGE)}${auto}`;
    if (idMapping.overlaps.length === 0) return { ...result, status: 'ok', detail };
    const owner = idMapping.overlaps[0]!.owner;
    const moves = idMapping.overlaps
      .filter((entry) => entry.owner === owner)
      .map((entry) => {
        const flag = entry.file === '/etc/subuid' ? 'subuids' : 'subgids';
        return `--del-${flag} ${rangeText(entry)} --add-${flag} ${free}`;
      });
    return {
      ...result,
      status: 'warn',
      detail: `${detail}, shared with ${overlapText}: those containers and root's get the same host ids`,
      fix: `sudo usermod ${moves.join(' ')} ${owner}`,
    };
  }
  const missing = [idMapping.subuid.length === 0 && 'subuids', idMapping.subgid.length === 0 && 'subgids'].filter(
    (flag): flag is string => Boolean(flag),
  );
  if (missing.length > 0) {
    const files = missing.map((flag) => (flag === 'subuids' ? '/etc/subuid' : '/etc/subgid')).join(' and ');
    return {
      ...result,
      status: 'fail',
      detail: `${user.name} has no range in ${files}: containers get a single id and files of other owners show as nobody`,
      fix: `sudo usermod ${missing.map((flag) => `--add-${flag} ${free}`).join(' ')} ${user.name}`,
    };
  }
  const total = (ranges: { count: number }[]) => ranges.reduce((sum, range) => sum + range.count, 0);
  const counts = `${total(idMapping.subuid)} uids, ${total(idMapping.subgid)} gids`;
  if (total(idMapping.subuid) < 65536 || total(idMapping.subgid) < 65536) {
    return {
      ...result,
      status: 'warn',
      detail: `only ${counts}: images with files owned by ids up to 65535 (nobody is 65534) fail to unpack`,
      fix: `sudo usermod --add-subuids ${free} --add-subgids ${free} ${user.name}`,
    };
  }
  if (idMapping.overlaps.length > 0) {
    const mine = idMapping.subuid[0]!;
    return {
      ...result,
      status: 'warn',
      detail: `${counts}, but shared with ${overlapText}: their containers can reach files of yours`,
      fix: `sudo usermod --del-subuids ${rangeText(mine)} --add-subuids ${free} --del-subgids ${rangeText(idMapping.subgid[0]!)} --add-subgids ${free} ${user.name} (then remove images pulled before: their files belong to the old range)`,
    };
  }
  return { ...result, status: 'ok', detail: counts };
}

/** `bob 100000-165535 (/etc/subuid, /etc/subgid)`: one mention per owner and range. */
function describeOverlaps(overlaps: IdMappingInfo['overlaps']): string {
  const files = new Map<string, string[]>();
  for (const entry of overlaps) {
    const key = `${entry.owner} ${rangeText(entry)}`;
    files.set(key, [...(files.get(key) ?? []), entry.file]);
  }
  return [...files].map(([key, where]) => `${key} (${where.join(', ')})`).join(', ');
}

function helperProblem(name: string, helper: IdMapHelper, capability: string): string | undefined {
  if (!helper.path) return `${name} not found in PATH`;
  if (!helper.setuidRoot && !helper.fileCapability) return `${helper.path} is neither setuid root nor has ${capability}`;
  if (helper.nosuidMount) return `${helper.path} is on a nosuid mount, which ignores its setuid bit and capabilities`;
  return undefined;
}

export function checkIdMapHelpers(info: HostInfo): CheckResult {
  const { newuidmap, newgidmap } = info.idMapping;
  const result = { id: 'idmap-helpers', title: 'newuidmap/newgidmap' } as const;
  if (info.user.root) return { ...result, status: 'ok', detail: 'not needed: root writes id maps itself' };
  const problems = [
    ['newuidmap', newuidmap, helperProblem('newuidmap', newuidmap, 'cap_setuid')],
    ['newgidmap', newgidmap, helperProblem('newgidmap', newgidmap, 'cap_setgid')],
  ] as const;
  const broken = problems.filter(([, , problem]) => problem);
  if (broken.length === 0) {
    const how = (helper: IdMapHelper) => `${helper.path} (${helper.setuidRoot ? 'setuid root' : 'file capability'})`;
    return { ...result, status: 'ok', detail: `${how(newuidmap)}, ${how(newgidmap)}` };
  }
  const detail = broken.map(([, , problem]) => problem).join('; ');
  let fix: string;
  if (broken.some(([, helper]) => !helper.path)) fix = installCommand('uidmap', info.host.distribution);
  else if (broken.some(([, helper]) => helper.nosuidMount)) fix = 'reinstall uidmap on a filesystem mounted without nosuid';
  else fix = `sudo chmod u+s ${broken.map(([, helper]) => helper.path).join(' ')}`;
  return { ...result, status: 'fail', detail, fix };
}

