// Stage 2, the container's init until it execs the command: runs as root of the new namespaces
// (started by launchInNamespaces), synchronously on Node's main thread. Imports stay tiny (no
// yargs/execa/fs-extra): this process is on the critical path of every start, and every module
// must be loaded before pivot_root (a lazy import afterwards would look inside the container).
// Usage: node stage2.js BUNDLE_DIR   (fd 3: the control channel; fd 4 with -t: the terminal socket)
import { confine, restrictPaths, setRlimits } from './confine.js';
import { execProcess, prepareProcess, setIdentity } from './container-process.js';
import { attachContainerTerminal } from './container-terminal.js';
import { runStage } from './init-error.js';
import { buildRoot } from './rootfs.js';
import { greetCli, loadSpec } from './stage-start.js';

process.title = 'rootless-init';

async function run(bundle: string): Promise<never> {
  // the CLI writes the bundle while this process starts; `start` says it is complete, and that the
  // id maps exist (an early start)
  greetCli('start');
  const { spec, setgroupsAllowed, confinement } = await loadSpec(bundle);
  buildRoot(spec);
  prepareProcess(spec);
  restrictPaths(spec);
  setRlimits(spec);
  if (spec.process.terminal) attachContainerTerminal(spec.process.user.uid);
  confine(spec, confinement, () => setIdentity(spec, setgroupsAllowed));
  return execProcess(spec);
}

await runStage(() => run(process.argv[2] ?? '.'), 'container init failed');
