// Stage 1 for real: a user namespace with the id maps a container of this user gets, written by
// newuidmap/newgidmap exactly as `rootless run` writes them. Catches what reading /etc/subuid and
// the helpers' modes cannot: "newuidmap: write to uid_map failed", refused ranges, PAM or LSM denials.
import { RootlessError } from '../errors.js';
import { defaultUserNamespace, type IdMapping, type UserIdentity } from '../runtime/idmap.js';
import { launchInNamespaces } from '../runtime/launcher.js';
import { parseIdMap } from './parse.js';
import type { CheckResult, HostInfo, IdMapTrial } from './types.js';

function mapText(mappings: IdMapping[]): string {
  return mappings.map((m) => `${m.containerID}→${m.hostID}${m.size > 1 ? `+${m.size}` : ''}`).join(', ');
}

export async function tryIdMaps(user: UserIdentity): Promise<IdMapTrial> {
  const plan = defaultUserNamespace(user);
  const planned = `uids ${mapText(plan.uidMappings)}; gids ${mapText(plan.gidMappings)}`;
  try {
    const launched = await launchInNamespaces({
      namespaces: ['user'],
      plan,
      argv: ['/bin/sh', '-c', 'cat /proc/self/uid_map; echo; cat /proc/self/gid_map'],
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let output = '';
    launched.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const status = await launched.exited;
    const [uidText = '', gidText = ''] = output.split('\n\n');
    const written = (text: string) => parseIdMap(text).reduce((sum, entry) => sum + entry.count, 0);
    const wanted = (mappings: IdMapping[]) => mappings.reduce((sum, m) => sum + m.size, 0);
    if (status !== 0 || written(uidText) !== wanted(plan.uidMappings) || written(gidText) !== wanted(plan.gidMappings)) {
      return { works: false, planned, error: `the namespace saw other maps than planned: ${output.replace(/\s+/g, ' ').trim()}`, remedy: null };
    }
    return { works: true, planned, error: null, remedy: null };
  } catch (error) {
    const remedy = error instanceof RootlessError ? (error.remedy ?? null) : null;
    return { works: false, planned, error: (error as Error).message, remedy };
  }
}

export function checkIdMapTrial(info: HostInfo): CheckResult | undefined {
  const trial = info.idMapping.trial;
  if (!trial) return undefined;
  const result = { id: 'id-maps', title: 'id maps' } as const;
  if (trial.works) return { ...result, status: 'ok', detail: `a user namespace got ${trial.planned}` };
  return {
    ...result,
    status: 'fail',
    detail: `writing ${trial.planned} failed: ${trial.error}`,
    ...(trial.remedy ? { fix: trial.remedy } : {}),
  };
}
