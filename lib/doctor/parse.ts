// Pure parsers of the host files the doctor reads: /etc/os-release, /proc/self/mountinfo,
// /proc/self/cgroup, the security.capability xattr, and the subordinate-id arithmetic.
import type { SubIdEntry, SubIdRange } from '../runtime/idmap.js';

/** /etc/os-release: KEY=value lines, values optionally quoted with shell escapes. */
export function parseOsRelease(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(raw.trim());
    if (!match) continue;
    let value = match[2]!;
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
      value = value.slice(1, -1);
      if (quote === '"') value = value.replace(/\\([\\$"`])/g, '$1');
    }
    fields[match[1]!] = value;
  }
  return fields;
}

export interface MountEntry {
  mountPoint: string;
  fstype: string;
  source: string;
  /** Per-mount options (rw, nosuid, noexec…). */
  options: string[];
  /** Per-superblock options (userxattr, size=…). */
  superOptions: string[];
}

function unescapeOctal(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** /proc/PID/mountinfo: `id parent major:minor root mountpoint options [optional…] - fstype source superoptions`. */
export function parseMountInfo(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const separator = fields.indexOf('-', 6);
    if (fields.length < 10 || separator < 0) continue;
    entries.push({
      mountPoint: unescapeOctal(fields[4]!),
      options: fields[5]!.split(','),
      fstype: fields[separator + 1]!,
      source: unescapeOctal(fields[separator + 2] ?? ''),
      superOptions: (fields[separator + 3] ?? '').split(',').filter(Boolean),
    });
  }
  return entries;
}

/** The mount an absolute, symlink-free path lives on: the longest mount point above it, the later of equals. */
export function mountContaining(entries: MountEntry[], path: string): MountEntry | undefined {
  let best: MountEntry | undefined;
  for (const entry of entries) {
    const point = entry.mountPoint;
    const inside = point === '/' || path === point || path.startsWith(point.endsWith('/') ? point : `${point}/`);
    if (inside && (!best || point.length >= best.mountPoint.length)) best = entry;
  }
  return best;
}

/** Filesystems where overlay upper dirs, user xattrs and subordinate ownership do not work or are unsafe. */
const networkFilesystems = new Set(['nfs', 'nfs4', 'cifs', 'smb3', 'smbfs', 'ceph', '9p', 'afs', 'lustre', 'gfs2', 'ocfs2', 'glusterfs', 'beegfs', 'gpfs']);
export function isNetworkFilesystem(fstype: string): boolean {
  return networkFilesystems.has(fstype) || /^fuse\.(sshfs|glusterfs|s3fs|rclone|gcsfuse|cephfs|juicefs)$/.test(fstype);
}

/** Ranges of other owners that share ids with one of `mine`. */
export function overlappingEntries(mine: SubIdRange[], others: SubIdEntry[]): SubIdEntry[] {
  return others.filter((other) =>
    mine.some((range) => other.start < range.start + range.count && range.start < other.start + other.count),
  );
}

/** The lowest `count` ids at or above `min` that no entry uses (what `usermod --add-subuids` should get). */
export function freeRange(taken: SubIdRange[], count = 65536, min = 100000): SubIdRange {
  let start = min;
  for (const range of [...taken].sort((a, b) => a.start - b.start)) {
    if (range.start + range.count <= start) continue;
    if (range.start >= start + count) break;
    start = range.start + range.count;
  }
  return { start, count };
}

/** /proc/PID/uid_map lines: `inside outside count`. */
export function parseIdMap(text: string): Array<{ inside: number; outside: number; count: number }> {
  return text
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter((fields) => fields.length === 3 && fields.every(Number.isSafeInteger))
    .map(([inside, outside, count]) => ({ inside: inside!, outside: outside!, count: count! }));
}

/** Whether every id of `range` exists (is mapped) in a user namespace with this uid_map. */
export function idMapCovers(map: Array<{ inside: number; count: number }>, range: SubIdRange): boolean {
  const end = range.start + range.count;
  const covered = map.reduce((sum, entry) => sum + Math.max(0, Math.min(end, entry.inside + entry.count) - Math.max(range.start, entry.inside)), 0);
  return covered === range.count;
}

/** `100000-165535`, the form usermod takes. */
export function rangeText(range: SubIdRange): string {
  return `${range.start}-${range.start + range.count - 1}`;
}

export interface ProcCgroup {
  /** The cgroup2 path (`0::/path` line), when a cgroup2 hierarchy is mounted. */
  unifiedPath?: string;
  /** cgroup v1 controller → path. */
  v1: Record<string, string>;
}

/** /proc/PID/cgroup: `hierarchy-id:controllers:path` lines. */
export function parseProcCgroup(text: string): ProcCgroup {
  const result: ProcCgroup = { v1: {} };
  for (const line of text.split('\n')) {
    const match = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!match) continue;
    if (match[1] === '0' && match[2] === '') result.unifiedPath = match[3]!;
    else for (const controller of match[2]!.split(',')) result.v1[controller] = match[3]!;
  }
  return result;
}

/** cgroup.controllers / cgroup.subtree_control: space-separated names. */
export function parseControllerList(text: string): string[] {
  return text.split(/\s+/).filter(Boolean);
}

export interface FileCapabilities {
  permitted: bigint;
  effective: boolean;
}

const VFS_CAP_REVISION_MASK = 0xff000000;
const VFS_CAP_FLAGS_EFFECTIVE = 0x1;

/** struct vfs_cap_data (revisions 1-3), little endian: magic_etc, then {permitted, inheritable} words. */
export function parseCapabilityXattr(data: Buffer): FileCapabilities | undefined {
  if (data.length < 12) return undefined;
  const magic = data.readUInt32LE(0);
  const revision = (magic & VFS_CAP_REVISION_MASK) >>> 24;
  if (revision < 1 || revision > 3) return undefined;
  let permitted = BigInt(data.readUInt32LE(4));
  if (revision >= 2 && data.length >= 20) permitted |= BigInt(data.readUInt32LE(12)) << 32n;
  return { permitted, effective: (magic & VFS_CAP_FLAGS_EFFECTIVE) !== 0 };
}

export const CAP_SETGID = 6;
export const CAP_SETUID = 7;

export function hasCapability(caps: FileCapabilities, capability: number): boolean {
  return caps.effective && (caps.permitted & (1n << BigInt(capability))) !== 0n;
}

/** The first line of a `--version` output; `unknown version` (Debian's pasta build) becomes undefined. */
export function versionFromOutput(text: string): string | undefined {
  const first = text.split('\n').find((line) => line.trim())?.trim();
  if (!first || /unknown version/i.test(first)) return undefined;
  return first.split(/\s+/).find((word) => /^v?\d/.test(word)) ?? first;
}

/** Bytes as a short human size: 1.5 GiB. */
export function humanSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
