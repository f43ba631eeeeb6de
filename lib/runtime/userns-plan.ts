// The user namespace of one container, from --userns/--uidmap/--gidmap and who runs rootless:
// which host ids it maps (checked against what this user may map), the user the container runs
// as by default (keep-id: yours), and for --userns=auto a range no other container holds: chosen
// under a lock and reserved (a file named by the CLI's pid) until the bundle records it.
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { RootlessError } from '../errors.js';
import { runtimeDir } from '../paths.js';
import type { RuntimeSpec } from '../spec/oci.js';
import { describeMapping, keepIdMappings, parseUsernsRequest, type UsernsRunOptions } from '../spec/userns.js';
import { allocateRange, hostRanges, poolFrom } from './id-ranges.js';
import { pidAlive } from '../pid-alive.js';
import {
  currentUser, defaultUserNamespace, findHelper, parseSubIdEntries, readSubIds, ROOT_DEFAULT_RANGE,
  type IdMapping, type SubIdEntry, type SubIdRange, type UserIdentity, type UserNamespacePlan,
} from './idmap.js';

export interface ContainerUserNamespace {
  plan: UserNamespacePlan;
  /** The container's user unless --user says otherwise: keep-id runs as the user's own ids. */
  defaultUser?: string;
  /** Drops the --userns=auto reservation: call once the bundle records the maps (or on failure). */
  release(): Promise<void>;
}

const nothingToRelease = async () => undefined;

function refuseHost(root: boolean): never {
  if (root) {
    throw new RootlessError("--userns=host would make the container's root host root, which rootless never does", {
      remedy: 'Drop --userns=host; --userns=auto gives the container a range of its own',
    });
  }
  throw new RootlessError('--userns=host is not possible without privileges: rootless needs a user namespace of its own to be root in the container and to mount its filesystems', {
    remedy: 'Drop --userns=host; --userns=keep-id keeps your uid and gid inside the container',
  });
}

function subordinateIds(user: UserIdentity): { uids: SubIdRange[]; gids: SubIdRange[] } {
  const uids = readSubIds('/etc/subuid', user);
  const gids = readSubIds('/etc/subgid', user);
  if (uids.length === 0 || gids.length === 0) {
    throw new RootlessError(`user ${user.name} has no subordinate ids in /etc/subuid and /etc/subgid to map`, {
      remedy: `Add a range: sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ${user.name}`,
    });
  }
  if (!findHelper('newuidmap') || !findHelper('newgidmap')) {
    throw new RootlessError('newuidmap/newgidmap are not installed, so only your own id can be mapped', { remedy: 'Install them: sudo apt install uidmap' });
  }
  return { uids, gids };
}

function keepId(user: UserIdentity): ContainerUserNamespace {
  if (user.uid === 0) {
    throw new RootlessError('--userns=keep-id is for unprivileged users (root would be root inside)', { remedy: 'As root use --userns=auto or --uidmap' });
  }
  const { uids, gids } = subordinateIds(user);
  return {
    plan: { uidMappings: keepIdMappings(user.uid, uids), gidMappings: keepIdMappings(user.gid, gids) },
    defaultUser: `${user.uid}:${user.gid}`,
    release: nothingToRelease,
  };
}

function rangeText(range: SubIdRange): string {
  return `${range.start}-${range.start + range.count - 1}`;
}

/** A user may map its own id and its subordinate ranges; real root anything but host root. */
function checkHostIds(mappings: IdMapping[], flag: string, own: number, subordinate: SubIdRange[], root: boolean): void {
  for (const m of mappings) {
    if (root) {
      if (m.hostID === 0) {
        throw new RootlessError(`${flag} ${describeMapping(m)} maps host root into the container`, { remedy: 'Map host ids above 0, e.g. 0:100000:65536' });
      }
      continue;
    }
    const allowed = [{ start: own, count: 1 }, ...subordinate];
    if (allowed.some((range) => m.hostID >= range.start && m.hostID + m.size <= range.start + range.count)) continue;
    throw new RootlessError(`${flag} ${describeMapping(m)} uses host ids ${rangeText({ start: m.hostID, count: m.size })} that are not yours to map`, {
      remedy: `Use your id ${own} or ids inside your subordinate ranges (${allowed.slice(1).map(rangeText).join(', ') || 'none'})`,
    });
  }
}

/** A user's container reads its bundle and the store's layers, which belong to the user: its own id must be mapped. */
function checkOwnIdMapped(mappings: IdMapping[], flag: string, own: number, kind: string): void {
  if (mappings.some((m) => own >= m.hostID && own < m.hostID + m.size)) return;
  throw new RootlessError(`${flag} must map your own ${kind} ${own}: the container's bundle and the image layers belong to it`, {
    remedy: `Map it too, e.g. ${flag} 0:${own}:1 ${flag} 1:START:SIZE with START:SIZE from your line in /etc/sub${kind}`,
  });
}

function explicit(uidMappings: IdMapping[], gidMappings: IdMapping[], user: UserIdentity): ContainerUserNamespace {
  const root = user.uid === 0;
  if (!root) {
    checkOwnIdMapped(uidMappings, '--uidmap', user.uid, 'uid');
    checkOwnIdMapped(gidMappings, '--gidmap', user.gid, 'gid');
  }
  const ranges = root || [...uidMappings, ...gidMappings].every((m) => m.size === 1 && m.containerID === 0) ? undefined : subordinateIds(user);
  checkHostIds(uidMappings, '--uidmap', user.uid, ranges?.uids ?? [], root);
  checkHostIds(gidMappings, '--gidmap', user.gid, ranges?.gids ?? [], root);
  return { plan: { uidMappings, gidMappings }, release: nothingToRelease };
}

/** While a CLI writes its bundle, its --userns=auto maps are reserved in a file named by its pid. */
function reservationsDir(): string {
  return path.join(runtimeDir(), 'userns-auto');
}

type Maps = Pick<UserNamespacePlan, 'uidMappings' | 'gidMappings'>;

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined; // a bundle being created or removed
  }
}

/** Maps of every bundle's config.json and of every reservation whose CLI still runs. */
function mapsInUse(): Maps[] {
  const containers = path.join(runtimeDir(), 'containers');
  const bundles = readdirSync(containers).map((id) => readJson<RuntimeSpec>(path.join(containers, id, 'config.json'))?.linux);
  const reservations = readdirSync(reservationsDir()).map((name) => {
    const file = path.join(reservationsDir(), name);
    if (pidAlive(Number.parseInt(name, 10))) return readJson<Maps>(file);
    rmSync(file, { force: true }); // its CLI died before the bundle was written
    return undefined;
  });
  return [...bundles, ...reservations].filter((maps): maps is Maps => maps !== undefined);
}

/** Host ranges held by containers with a bundle (running or not: its upper dir is in them) and by reservations. */
function rangesInUse(): { uids: SubIdRange[]; gids: SubIdRange[] } {
  const maps = mapsInUse();
  return {
    uids: [ROOT_DEFAULT_RANGE, ...maps.flatMap((map) => hostRanges(map.uidMappings))],
    gids: [ROOT_DEFAULT_RANGE, ...maps.flatMap((map) => hostRanges(map.gidMappings))],
  };
}

function readEntries(file: string): SubIdEntry[] {
  try {
    return parseSubIdEntries(readFileSync(file, 'utf8'));
  } catch {
    return [];
  }
}

async function auto(size: number, user: UserIdentity): Promise<ContainerUserNamespace> {
  if (user.uid !== 0) {
    throw new RootlessError("--userns=auto needs root: it hands out ranges from root's pool", {
      remedy: "Drop it: your containers get your subordinate range; --uidmap maps part of it",
    });
  }
  for (const dir of [path.join(runtimeDir(), 'containers'), reservationsDir()]) mkdirSync(dir, { recursive: true, mode: 0o711 });
  const { acquireFileLock } = await import('../image/store-lock.js');
  // the lock covers choosing and reserving only: the bundle (which may wait for a pull) comes later
  const lock = await acquireFileLock(path.join(runtimeDir(), 'userns-auto.lock'));
  const reservation = path.join(reservationsDir(), `${process.pid}.json`);
  try {
    const used = rangesInUse();
    const allocate = (file: string, inUse: SubIdRange[]) => {
      const pool = poolFrom(readEntries(file));
      const range = allocateRange(pool.ranges, inUse, size);
      if (range) return range;
      throw new RootlessError(`no free range of ${size} ids is left in ${pool.source} of ${file} (${pool.ranges.map(rangeText).join(', ')})`, {
        remedy: 'Remove containers that have exited, or give the pool more ids: a longer containers:START:COUNT line in /etc/subuid and /etc/subgid',
      });
    };
    const uid = allocate('/etc/subuid', used.uids);
    const gid = allocate('/etc/subgid', used.gids);
    const plan = { uidMappings: [{ containerID: 0, hostID: uid.start, size }], gidMappings: [{ containerID: 0, hostID: gid.start, size }] };
    writeFileSync(reservation, JSON.stringify(plan));
    return { plan, release: async () => rmSync(reservation, { force: true }) };
  } finally {
    await lock.close();
  }
}

/** The user namespace a container of `user` gets from its flags. */
export async function containerUserNamespace(options: UsernsRunOptions, user: UserIdentity = currentUser()): Promise<ContainerUserNamespace> {
  const request = parseUsernsRequest(options);
  switch (request.mode) {
    case 'private':
      return { plan: defaultUserNamespace(user), release: nothingToRelease };
    case 'host':
      return refuseHost(user.uid === 0);
    case 'keep-id':
      return keepId(user);
    case 'explicit':
      return explicit(request.uidMappings, request.gidMappings, user);
    case 'auto':
      return auto(request.size, user);
  }
}
