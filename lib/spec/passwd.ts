// Resolves a user spec against the container's /etc/passwd and /etc/group, as docker does:
// names must exist; numeric ids need not; supplementary groups come from /etc/group membership.
import { RootlessError } from '../errors.js';
import type { SpecUser } from './oci.js';
import type { UserSpec } from './flag-values.js';

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

function lines(text: string): string[][] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => line.split(':'));
}

export function parsePasswd(text: string): PasswdEntry[] {
  return lines(text)
    .filter((fields) => fields.length >= 7)
    .map((fields) => ({ name: fields[0]!, uid: Number(fields[2]), gid: Number(fields[3]), home: fields[5]! }))
    .filter((entry) => Number.isInteger(entry.uid) && Number.isInteger(entry.gid));
}

export function parseGroup(text: string): GroupEntry[] {
  return lines(text)
    .filter((fields) => fields.length >= 4)
    .map((fields) => ({ name: fields[0]!, gid: Number(fields[2]), members: fields[3]!.split(',').filter(Boolean) }))
    .filter((entry) => Number.isInteger(entry.gid));
}

export interface ResolvedUser extends SpecUser {
  home: string;
}

const numeric = /^[0-9]+$/;

function parseId(text: string, what: string): number {
  const id = Number(text);
  if (!Number.isSafeInteger(id) || id > 0xfffffffe) throw new RootlessError(`${what} ${text} is out of range`, { remedy: 'Use an id below 4294967295' });
  return id;
}

export function resolveUser(spec: UserSpec, passwd: PasswdEntry[], groups: GroupEntry[]): ResolvedUser {
  let entry: PasswdEntry | undefined;
  let uid: number;
  if (numeric.test(spec.user)) {
    uid = parseId(spec.user, 'uid');
    entry = passwd.find((candidate) => candidate.uid === uid);
  } else {
    entry = passwd.find((candidate) => candidate.name === spec.user);
    if (!entry) {
      throw new RootlessError(`unable to find user ${spec.user}: no matching entries in the container's /etc/passwd`, {
        remedy: 'Use a numeric uid or a user the image defines',
      });
    }
    uid = entry.uid;
  }
  let gid = entry?.gid ?? 0;
  if (spec.group !== undefined) {
    if (numeric.test(spec.group)) gid = parseId(spec.group, 'gid');
    else {
      const group = groups.find((candidate) => candidate.name === spec.group);
      if (!group) {
        throw new RootlessError(`unable to find group ${spec.group}: no matching entries in the container's /etc/group`, {
          remedy: 'Use a numeric gid or a group the image defines',
        });
      }
      gid = group.gid;
    }
  }
  const additionalGids = entry
    ? [...new Set(groups.filter((group) => group.members.includes(entry!.name) && group.gid !== gid).map((group) => group.gid))]
    : [];
  const home = entry?.home || (uid === 0 ? '/root' : '/');
  return { uid, gid, additionalGids, home };
}
