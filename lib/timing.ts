// Where a container start or a pull spends its time: with ROOTLESS_TIMING=1 the CLI, stage 2 and
// the unpack worker print `timing <epoch ms> <process> <phase>` lines to stderr (the processes
// start independently, so only the wall clock relates them; `npm run bench` prints the deltas).
// Dependency-free: stage 2 loads it before anything else.
export const timingEnabled = Boolean(process.env.ROOTLESS_TIMING);

// the program's file names the process: rootless (the CLI), stage2, unpack-worker
const who = (process.argv[1] ?? 'rootless').replace(/^.*\//, '').replace(/\.(bundle\.)?js$/, '');

/** What a child's environment needs for its marks to show too (stage 2 gets a clean environment). */
export function timingEnv(): Record<string, string> {
  return timingEnabled ? { ROOTLESS_TIMING: '1' } : {};
}

/** Prints a mark for now, or for the epoch time `when` (e.g. performance.timeOrigin). */
export function mark(phase: string, when = performance.timeOrigin + performance.now()): void {
  if (timingEnabled) process.stderr.write(`timing ${when.toFixed(1)} ${who} ${phase}\n`);
}
