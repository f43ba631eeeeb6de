// The container's monitor is stage 1's shell, the parent of the container's PID 1 (see
// launcher.ts): a ~1 MB process instead of a daemon or a Node process per container. When PID 1
// exits, the shell runs these commands: record the exit (atomically: temp file, then mv), and for
// a detached container end its network helper and, with --rm, remove the container. It runs as
// root of the container's user namespace, so it may remove the subordinate-owned upper dir.
import path from 'node:path';
import { exitFile } from './state.js';

/** Quotes `text` as one word for sh. */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** The file the CLI writes for the monitor: `PID STATE_DIR` of the network helper. */
export const NETWORK_PID_FILE = 'network.pid';

export interface MonitorPlan {
  bundleDir: string;
  storageDir: string;
  detached: boolean;
  autoRemove: boolean;
}

/** Shell commands stage 1 runs after the container's PID 1 exited, with its status in $status. */
export function monitorScript(plan: MonitorPlan): string {
  const exit = shellQuote(exitFile(plan.bundleDir));
  const temp = shellQuote(`${exitFile(plan.bundleDir)}.tmp`);
  const lines = [
    `printf '{"exitCode":%d,"finishedAt":"%s"}\\n' "$status" "$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)" > ${temp} && mv -f ${temp} ${exit}`,
  ];
  if (plan.detached) {
    const pidFile = shellQuote(path.join(plan.bundleDir, NETWORK_PID_FILE));
    lines.push(`if read -r helper helperdir < ${pidFile}; then kill "$helper"; rm -rf "$helperdir"; fi 2>/dev/null`);
    if (plan.autoRemove) lines.push(`rm -rf ${shellQuote(plan.storageDir)} ${shellQuote(plan.bundleDir)}`);
  }
  lines.push('exit "$status"');
  return lines.join('; ');
}
