// Id mappings of a user namespace: which host ids the container's ids stand for.
// Unprivileged: container 0 → the user, 1…N → the user's subordinate range from /etc/subuid and
// /etc/subgid, written by the setuid helpers newuidmap/newgidmap. Without a range or helper: a
// single-id map (container root = the user), which the kernel lets the user write itself.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import { execFile } from 'node:child_process';
import { RootlessError } from '../errors.js';

/** As in the OCI runtime spec (`linux.uidMappings`). */
export interface IdMapping {
  containerID: number;
  hostID: number;
  size: number;
}

export interface SubIdRange {
  start: number;
  count: number;
}

export interface UserIdentity {
  uid: number;
  gid: number;
  name: string;
}

export function currentUser(): UserIdentity {
  const info = os.userInfo();
  return { uid: info.uid, gid: info.gid, name: info.username };
}

export interface SubIdEntry extends SubIdRange {
  /** User name or uid, as the line names it. */
  owner: string;
}

/** Parses every `name-or-uid:start:count` line of /etc/subuid-style text. */
export function parseSubIdEntries(text: string): SubIdEntry[] {
  const entries: SubIdEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [owner = '', start, count] = line.split(':');
    const entry = { owner, start: Number(start), count: Number(count) };
    if (Number.isSafeInteger(entry.start) && Number.isSafeInteger(entry.count) && entry.count > 0) entries.push(entry);
  }
  return entries;
}

/** The ranges /etc/subuid-style text gives one user. */
export function parseSubIds(text: string, user: { uid: number; name: string }): SubIdRange[] {
  return parseSubIdEntries(text)
    .filter((entry) => entry.owner === user.name || entry.owner === String(user.uid))
    .map(({ start, count }) => ({ start, count }));
}

export function readSubIds(file: string, user: { uid: number; name: string }): SubIdRange[] {
  try {
    return parseSubIds(readFileSync(file, 'utf8'), user);
  } catch {
    return [];
  }
}

const helperDirs = ['/usr/bin', '/bin', '/usr/sbin', '/sbin', '/usr/local/bin'];
/** Searches PATH, as execa does when it runs a helper by name; the usual dirs only without a PATH. */
export function findHelper(name: string): string | undefined {
  const searchPath = (process.env.PATH ?? '').split(':').filter(Boolean);
  const dirs = searchPath.length > 0 ? searchPath : helperDirs;
  return dirs.map((dir) => `${dir}/${name}`).find((candidate) => existsSync(candidate));
}

export interface UserNamespacePlan {
  uidMappings: IdMapping[];
  gidMappings: IdMapping[];
  /** Set when the plan had to fall back to a single-id map; says why and how to fix it. */
  warning?: string;
}

/** Container root = the user, then the first subordinate range (Podman's default layout). */
export function mappingsFromRanges(id: number, ranges: SubIdRange[]): IdMapping[] {
  const mappings: IdMapping[] = [{ containerID: 0, hostID: id, size: 1 }];
  let next = 1;
  for (const range of ranges) {
    mappings.push({ containerID: next, hostID: range.start, size: range.count });
    next += range.count;
  }
  return mappings;
}

/**
 * Root's containers must never be host root: container 0…65535 map to 0x70000000 and up, above
 * systemd-nspawn's container ranges and far from the ranges useradd gives users from 100000 on
 * (sharing a user's range would let root's containers and that user's touch each other's files).
 */
export const ROOT_DEFAULT_RANGE: SubIdRange = { start: 0x70000000, count: 65536 };

/** The mapping a container (or an unpack) of this user gets by default. */
export function defaultUserNamespace(user: UserIdentity = currentUser()): UserNamespacePlan {
  if (user.uid === 0) {
    const mapping = [{ containerID: 0, hostID: ROOT_DEFAULT_RANGE.start, size: ROOT_DEFAULT_RANGE.count }];
    return { uidMappings: mapping, gidMappings: mapping };
  }
  const subuids = readSubIds('/etc/subuid', user);
  const subgids = readSubIds('/etc/subgid', { uid: user.uid, name: user.name });
  const single = {
    uidMappings: [{ containerID: 0, hostID: user.uid, size: 1 }],
    gidMappings: [{ containerID: 0, hostID: user.gid, size: 1 }],
  };
  if (subuids.length === 0 || subgids.length === 0) {
    return {
      ...single,
      warning:
        `user ${user.name} has no subordinate ids in /etc/subuid and /etc/subgid, so only one id is mapped and ` +
        `files owned by other users show as nobody. Fix: sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ${user.name}`,
    };
  }
  if (!findHelper('newuidmap') || !findHelper('newgidmap')) {
    return {
      ...single,
      warning: 'newuidmap/newgidmap are not installed, so only one id is mapped. Fix: sudo apt install uidmap (Fedora: shadow-utils)',
    };
  }
  return { uidMappings: mappingsFromRanges(user.uid, subuids), gidMappings: mappingsFromRanges(user.gid, subgids) };
}

/** The host ids that root of the namespace stands for (the owner of what it creates). */
export function namespaceRootIds(plan: UserNamespacePlan): { uid: number; gid: number } {
  const hostOfZero = (mappings: IdMapping[]) => mappings.find((m) => m.containerID === 0)?.hostID ?? 0;
  return { uid: hostOfZero(plan.uidMappings), gid: hostOfZero(plan.gidMappings) };
}

function mapLine(mappings: IdMapping[]): string {
  return mappings.map((m) => `${m.containerID} ${m.hostID} ${m.size}`).join('\n') + '\n';
}

function isSingleSelfMap(mappings: IdMapping[], ownId: number): boolean {
  return mappings.length === 1 && mappings[0]!.size === 1 && mappings[0]!.hostID === ownId;
}

/**
 * Writes uid_map and gid_map of the user namespace that process `pid` is in. Root and a
 * single self-map write /proc directly; anything else goes through newuidmap/newgidmap,
 * whose exit status and message are checked (youki forgot the status; we do not).
 */
export async function writeIdMappings(pid: number, plan: UserNamespacePlan): Promise<void> {
  const uid = process.getuid!();
  const gid = process.getgid!();
  const direct = uid === 0 || (isSingleSelfMap(plan.uidMappings, uid) && isSingleSelfMap(plan.gidMappings, gid));
  if (direct) {
    try {
      writeFileSync(`/proc/${pid}/uid_map`, mapLine(plan.uidMappings));
      if (uid !== 0) writeFileSync(`/proc/${pid}/setgroups`, 'deny');
      writeFileSync(`/proc/${pid}/gid_map`, mapLine(plan.gidMappings));
    } catch (error) {
      throw new RootlessError(`cannot write the id map of process ${pid}: ${(error as Error).message}`, {
        remedy: 'Run `rootless doctor` to check user namespace support',
        cause: error,
      });
    }
    return;
  }
  await Promise.all([
    runMapHelper('newuidmap', pid, plan.uidMappings, '/etc/subuid'),
    runMapHelper('newgidmap', pid, plan.gidMappings, '/etc/subgid'),
  ]);
}

/** Runs a helper; `exitCode` is undefined when it could not be started at all. */
function runHelper(file: string, args: string[]): Promise<{ exitCode?: number; said: string }> {
  // node:child_process rather than execa: loading execa costs ~150 ms, on every container start
  return new Promise((resolve) => {
    const child = execFile(file, args, (error, _stdout, stderr) => {
      const exitCode = error ? (typeof error.code === 'number' ? error.code : undefined) : 0;
      resolve({ exitCode, said: String(stderr || error?.message || '').split('\n')[0]! });
    });
    child.stdin?.end();
  });
}

/** What /proc says of `pid` (its ids and program), for an error that names a process. */
function describeProcess(pid: number): string {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const ids = ['Uid', 'Gid'].map((key) => status.match(new RegExp(`^${key}:\\s*(.*)$`, 'm'))?.[1]?.replace(/\s+/g, ' ')).join(' / ');
    const program = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, 4).join(' ');
    return `process ${pid} (${program}) has uids/gids ${ids}`;
  } catch {
    return `process ${pid} is gone`;
  }
}

const MAP_HELPER_ATTEMPTS = 3;

async function runMapHelper(helper: string, pid: number, mappings: IdMapping[], file: string): Promise<void> {
  const args = [String(pid), ...mappings.flatMap((m) => [m.containerID, m.hostID, m.size].map(String))];
  let result = await runHelper(helper, args);
  // CI once saw newgidmap find the waiting stage-1 shell owned by another uid, which it never is
  // for long: try again a few times before giving up, and then say what /proc showed.
  for (let attempt = 1; attempt < MAP_HELPER_ATTEMPTS && /owned by a different user/.test(result.said); attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    result = await runHelper(helper, args);
  }
  if (result.exitCode === 0) return;
  const seen = /owned by a different user/.test(result.said) ? ` (${describeProcess(pid)})` : '';
  throw new RootlessError(`${helper} failed: ${result.said}${seen}`, {
    remedy:
      result.exitCode === undefined
        ? 'Install it: sudo apt install uidmap'
        : `Check that ${file} gives this user the range ${mappings.slice(1).map((m) => `${m.hostID}:${m.size}`).join(',')} and that ${helper} is setuid root (ls -l $(command -v ${helper}))`,
  });
}
