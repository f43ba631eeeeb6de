// Where a container start spends its time: with ROOTLESS_TIMING=1 the CLI and stage 2 print
// `timing <ms since the CLI's Node started> <process> <phase>` lines to stderr (`npm run bench`
// shows them as a breakdown). Dependency-free: stage 2 loads it before anything else.
export const timingEnabled = Boolean(process.env.ROOTLESS_TIMING);
// stage 2 measures from the CLI's start, which the CLI hands down in the same variable
const origin = Number(process.env.ROOTLESS_TIMING) > 1 ? Number(process.env.ROOTLESS_TIMING) : performance.timeOrigin;

// the program's file names the process: rootless (the CLI), stage2, unpack-worker
const who = (process.argv[1] ?? 'rootless').replace(/^.*\//, '').replace(/\.(bundle\.)?js$/, '');

/** The variable to pass to a child so that its marks share this process's time origin. */
export function timingEnv(): Record<string, string> {
  return timingEnabled ? { ROOTLESS_TIMING: String(origin) } : {};
}

/** Prints a mark for now, or for the epoch time `when` (e.g. performance.timeOrigin). */
export function mark(phase: string, when = performance.timeOrigin + performance.now()): void {
  if (!timingEnabled) return;
  const at = when - origin;
  process.stderr.write(`timing ${at.toFixed(1)} ${who} ${phase}\n`);
}
