// The container's monitor is stage 1's shell, the parent of the container's PID 1 (see
// launcher.ts): a ~1.7 MB process instead of a daemon or a Node process per container. When PID 1
// exits, the shell records the exit and, for a detached container, ends its network helper.
// - Builtins only: the shell's children go into the container's pid namespace, which is gone with
//   its PID 1, so the shell cannot fork any more (no date, mv or rm). The record is one small
//   write(2) of JSON, read only once it parses; its mtime is the exit's time. What needs a
//   program (the helper's state dir, --rm's files, the cgroup) the next rootless command does
//   (view.ts).
// - Relative paths: the shell shares the container's mount namespace, so stage 2's pivot_root
//   made the container's rootfs its "/" too; its working directory, the bundle, stays the host's.
// - The log: the shell reads the container's output from a FIFO line by line and writes each line
//   to container.log after the seconds since boot from /proc/uptime (`12345.67 text`; an empty
//   stamp when it cannot be read). /proc/uptime is the host's clock in any mount namespace.
//   `logs` turns the stamp into a time (log-format.ts). A last line without newline gets one in
//   the log (the next start's lines must begin a line of their own) and a `p` after its stamp.
import { EXIT_FILE } from './state.js';

/** The file the CLI writes for the monitor: `PID STATE_DIR` of the network helper. */
export const NETWORK_PID_FILE = 'network.pid';

export interface MonitorPlan {
  detached: boolean;
}

/** Shell commands stage 1 runs after the container's PID 1 exited, with its status in $status; its cwd is the bundle. */
export function monitorScript(plan: MonitorPlan): string {
  const lines = [`printf '{"exitCode":%d}\\n' "$status" > ${EXIT_FILE}`];
  if (plan.detached) lines.push(`if read -r helper _ < ${NETWORK_PID_FILE}; then kill "$helper"; fi 2>/dev/null`);
  lines.push('exit "$status"');
  return lines.join('; ');
}

/** Shell commands that copy stdin (the container's output) to stdout until its end, each line stamped. */
export function stampLinesScript(): string {
  const stamp = 'up=; read -r up _ 2>&- </proc/uptime';
  return `while IFS= read -r line; do ${stamp}; printf '%s %s\\n' "$up" "$line"; done; [ -z "$line" ] || { ${stamp}; printf '%sp %s\\n' "$up" "$line"; }`;
}
