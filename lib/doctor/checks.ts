// `rootless doctor`: every check, in the order a user should fix things, and the one-line
// diagnosis `rootless run` prints when stage 1 fails. Checks are pure functions of a HostInfo
// (see types.ts); collectInfo does the I/O.
import { checkCgroup } from './cgroup.js';
import { checkIdMapTrial } from './idmap-trial.js';
import { collectInfo } from './info.js';
import { checkNetworkHelpers, checkPorts, checkTun } from './network.js';
import { checkInit, checkKernel, checkLinger, checkRuntimeDir } from './session.js';
import { checkIdmap, checkOverlay, checkStore } from './storage.js';
import type { CheckResult, HostInfo } from './types.js';
import { checkIdMapHelpers, checkSubIds, checkUserNamespaces } from './userns.js';

export type { CheckResult, CheckStatus, HostInfo } from './types.js';

/** What stage 1 (user namespace, id maps, runtime and store directories) needs, most basic first. */
const startChecks = [checkKernel, checkUserNamespaces, checkIdMapHelpers, checkSubIds, checkRuntimeDir, checkStore];
const laterChecks = [checkIdMapTrial, checkOverlay, checkIdmap, checkNetworkHelpers, checkTun, checkPorts, checkCgroup, checkInit, checkLinger];

export function evaluateChecks(info: HostInfo): CheckResult[] {
  return [...startChecks, ...laterChecks].map((check) => check(info)).filter((result): result is CheckResult => result !== undefined);
}

const labels = { ok: 'OK  ', warn: 'WARN', fail: 'FAIL' } as const;

/** `OK   title: detail`, `WARN title: detail  → fix: command`. */
export function formatCheck(result: CheckResult): string {
  const line = `${labels[result.status]} ${result.title}: ${result.detail}`;
  return result.fix ? `${line}  → fix: ${result.fix}` : line;
}

/** Runs every check, probes included. */
export async function runDoctor(): Promise<CheckResult[]> {
  return evaluateChecks(await collectInfo({ thorough: true }));
}

/** `cause. Fix: command` for the first failing check; warnings do not stop a container from starting. */
export function mostRelevant(results: CheckResult[]): string | undefined {
  const chosen = results.find((result) => result.status === 'fail');
  if (!chosen) return undefined;
  const cause = `${chosen.title}: ${chosen.detail}`;
  return chosen.fix ? `${cause}. Fix: ${chosen.fix}` : cause;
}

/**
 * The single most relevant `cause. Fix: command` line when a container could not start, from the
 * cheap checks only (no probes, no store walk); undefined when none of them finds a problem.
 * Never throws: the caller is already reporting an error, which a failed diagnosis must not hide.
 */
export async function firstRunDiagnosis(): Promise<string | undefined> {
  try {
    const info = await collectInfo({ thorough: false });
    return mostRelevant(startChecks.map((check) => check(info)));
  } catch {
    return undefined;
  }
}
