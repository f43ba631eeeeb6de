// `rootless run --userns/--uidmap/--gidmap`: parsing and the pure rules of id maps. Which host ids
// a user may map, and the ranges real root hands out, are looked up by lib/runtime/userns-plan.ts.
import { RootlessError } from '../errors.js';
import type { IdMapping, SubIdRange } from '../runtime/idmap.js';
import type { RunFlag } from './run-options.js';

export interface UsernsRunOptions {
  /** The --userns value as given; undefined: the default. */
  userns?: string;
  uidmap: string[];
  gidmap: string[];
}

export const usernsRunFlags: readonly RunFlag[] = [
  {
    name: 'userns',
    key: 'userns',
    type: 'string',
    describe: 'User namespace: private (default), keep-id (your uid and gid inside too), auto[:size=N] (root: a free range of its own), host (refused)',
  },
  { name: 'uidmap', key: 'uidmap', type: 'array', describe: 'Map container uids to host uids: CONTAINER:HOST:SIZE (repeatable; host ids must be yours)' },
  { name: 'gidmap', key: 'gidmap', type: 'array', describe: 'Map container gids to host gids: CONTAINER:HOST:SIZE (default: as --uidmap)' },
];

export function defaultUsernsRunOptions(): UsernsRunOptions {
  return { uidmap: [], gidmap: [] };
}

/** What a container's user namespace should be, before host ids are looked up. */
export type UsernsRequest =
  | { mode: 'private' }
  | { mode: 'keep-id' }
  | { mode: 'host' }
  | { mode: 'auto'; size: number }
  | { mode: 'explicit'; uidMappings: IdMapping[]; gidMappings: IdMapping[] };

/** The least a range handed out by --userns=auto holds (what most images' ids need). */
export const AUTO_RANGE_SIZE = 65536;

function usernsError(message: string, remedy: string): RootlessError {
  return new RootlessError(message, { remedy });
}

function parseAuto(value: string): UsernsRequest {
  const options = value.slice('auto'.length).replace(/^:/, '');
  let size = AUTO_RANGE_SIZE;
  for (const option of options ? options.split(',') : []) {
    const match = /^size=([0-9]+)$/.exec(option);
    if (!match) throw usernsError(`invalid --userns option "${option}"`, 'Write it as --userns=auto or --userns=auto:size=65536');
    size = Number(match[1]);
    if (size < AUTO_RANGE_SIZE) {
      throw usernsError(`--userns=auto:size=${size} is below the least range of ${AUTO_RANGE_SIZE} ids`, `Give a size of at least ${AUTO_RANGE_SIZE}`);
    }
  }
  return { mode: 'auto', size };
}

/** `CONTAINER:HOST:SIZE`, three non-negative integers, SIZE at least 1. */
export function parseIdMapping(text: string, flag: string): IdMapping {
  const parts = text.split(':');
  const numbers = parts.map((part) => (/^[0-9]+$/.test(part) ? Number(part) : NaN));
  if (parts.length !== 3 || numbers.some((value) => !Number.isSafeInteger(value) || value > 0xfffffffe) || numbers[2] === 0) {
    throw usernsError(`invalid ${flag} "${text}"`, `Write it as ${flag} CONTAINER:HOST:SIZE, e.g. ${flag} 0:100000:65536`);
  }
  const [containerID, hostID, size] = numbers as [number, number, number];
  return { containerID, hostID, size };
}

function overlapping(a: SubIdRange, b: SubIdRange): boolean {
  return a.start < b.start + b.count && b.start < a.start + a.count;
}

/** The kernel refuses overlapping lines (EINVAL), and one without container 0 leaves no root inside. */
export function checkMappings(mappings: IdMapping[], flag: string): void {
  const inside = mappings.map((m) => ({ start: m.containerID, count: m.size }));
  const outside = mappings.map((m) => ({ start: m.hostID, count: m.size }));
  for (const [name, ranges] of [['container', inside], ['host', outside]] as const) {
    ranges.forEach((range, index) => {
      const other = ranges.findIndex((candidate, at) => at > index && overlapping(range, candidate));
      if (other >= 0) {
        throw usernsError(`${flag} ${describeMapping(mappings[index]!)} and ${describeMapping(mappings[other]!)} overlap in their ${name} ids`, 'Give each id one mapping');
      }
    });
  }
  if (!mappings.some((m) => m.containerID === 0)) {
    throw usernsError(`${flag} does not map container id 0, so the container would have no root`, `Start one mapping at 0: ${flag} 0:HOST:SIZE`);
  }
}

export function describeMapping(m: IdMapping): string {
  return `${m.containerID}:${m.hostID}:${m.size}`;
}

/** Reads --userns, --uidmap and --gidmap (which go together only with each other). */
export function parseUsernsRequest(options: UsernsRunOptions): UsernsRequest {
  const value = options.userns;
  const explicit = options.uidmap.length > 0 || options.gidmap.length > 0;
  if (explicit && value !== undefined && value !== '' && value !== 'private') {
    throw usernsError(`--userns=${value} and --uidmap/--gidmap both say how to map ids`, 'Give one of them');
  }
  if (explicit) {
    const uidMappings = (options.uidmap.length ? options.uidmap : options.gidmap).map((text) => parseIdMapping(text, options.uidmap.length ? '--uidmap' : '--gidmap'));
    const gidMappings = options.gidmap.length ? options.gidmap.map((text) => parseIdMapping(text, '--gidmap')) : uidMappings;
    checkMappings(uidMappings, '--uidmap');
    checkMappings(gidMappings, '--gidmap');
    return { mode: 'explicit', uidMappings, gidMappings };
  }
  if (value === undefined || value === '' || value === 'private') return { mode: 'private' };
  if (value === 'keep-id' || value === 'host') return { mode: value };
  if (value === 'auto' || value.startsWith('auto:')) return parseAuto(value);
  throw usernsError(`invalid --userns value "${value}"`, 'Choose private, keep-id, auto[:size=N] or host');
}

/**
 * Podman's keep-id: the user's `id` is the same inside, the rest comes from the subordinate
 * ranges. Container ids 1…id-1 and id+1… keep the host ids the store's layout gives them
 * (container c ↔ the c-th subordinate id), so image files keep their owners; only 0 and `id`
 * trade places: container 0 takes the subordinate id that container `id` would have had.
 */
export function keepIdMappings(id: number, ranges: SubIdRange[]): IdMapping[] {
  const subordinate: IdMapping[] = [];
  let next = 1;
  for (const range of ranges) {
    subordinate.push({ containerID: next, hostID: range.start, size: range.count });
    next += range.count;
  }
  const total = next - 1;
  if (total < id) {
    throw usernsError(`--userns=keep-id needs at least ${id} subordinate ids (your id) but /etc/subuid or /etc/subgid gives ${total}`, 'Give this user a range of 65536 ids: sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 USER');
  }
  const mappings: IdMapping[] = [{ containerID: id, hostID: id, size: 1 }];
  for (const m of subordinate) {
    const end = m.containerID + m.size;
    if (id < m.containerID || id >= end) {
      mappings.push(m);
      continue;
    }
    // the subordinate id of container `id` goes to container 0; the user's own id to `id`
    const offset = id - m.containerID;
    mappings.push({ containerID: 0, hostID: m.hostID + offset, size: 1 });
    if (offset > 0) mappings.push({ containerID: m.containerID, hostID: m.hostID, size: offset });
    if (end - id - 1 > 0) mappings.push({ containerID: id + 1, hostID: m.hostID + offset + 1, size: end - id - 1 });
  }
  return mappings.sort((a, b) => a.containerID - b.containerID);
}
