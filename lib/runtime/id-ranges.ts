// Host id ranges real root hands to containers with --userns=auto: pure arithmetic, so the rules
// (disjoint, inside the pool, clear of root's default range) can be tested without a host.
import type { IdMapping, SubIdEntry, SubIdRange } from './idmap.js';
import { ROOT_DEFAULT_RANGE } from './idmap.js';

/** The owner of the /etc/subuid and /etc/subgid entries that make root's pool (as Podman's). */
export const POOL_OWNER = 'containers';

/** Without `containers` entries: every id above root's default range up to 2^31 (65535 ranges of 65536). */
export const BUILTIN_POOL: SubIdRange = {
  start: ROOT_DEFAULT_RANGE.start + ROOT_DEFAULT_RANGE.count,
  count: 0x80000000 - (ROOT_DEFAULT_RANGE.start + ROOT_DEFAULT_RANGE.count),
};

/** The pool from parsed /etc/subuid-style entries: the `containers` user's, else the built-in one. */
export function poolFrom(entries: SubIdEntry[]): { ranges: SubIdRange[]; source: string } {
  const own = entries.filter((entry) => entry.owner === POOL_OWNER).map(({ start, count }) => ({ start, count }));
  return own.length > 0 ? { ranges: own, source: `the ${POOL_OWNER} entries` } : { ranges: [BUILTIN_POOL], source: 'the built-in pool' };
}

export function hostRanges(mappings: IdMapping[]): SubIdRange[] {
  return mappings.map((m) => ({ start: m.hostID, count: m.size }));
}

/** The lowest `size` ids inside one range of `pool` that touch no range of `used`. */
export function allocateRange(pool: SubIdRange[], used: SubIdRange[], size: number): SubIdRange | undefined {
  for (const range of [...pool].sort((a, b) => a.start - b.start)) {
    const end = range.start + range.count;
    let start = range.start;
    while (start + size <= end) {
      const blocking = used.filter((other) => other.start < start + size && start < other.start + other.count);
      if (blocking.length === 0) return { start, count: size };
      start = Math.max(...blocking.map((other) => other.start + other.count));
    }
  }
  return undefined;
}
