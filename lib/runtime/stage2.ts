// Stage 2, the container's init until it execs the command: runs as root of the new namespaces
// (started by launchInNamespaces), synchronously on Node's main thread. Imports stay tiny (no
// yargs/execa/fs-extra): this process is on the critical path of every start, and every module
// must be loaded before pivot_root (a lazy import afterwards would look inside the container).
// Usage: node stage2.js BUNDLE_DIR   (fd 3: the control channel; fd 4 with -t: the terminal socket)
import { readFileSync, readlinkSync } from 'node:fs';
import { constants } from 'node:os';
import path from 'node:path';
import type { RuntimeSpec } from '../spec/oci.js';
import { receiveSync, sendSync } from './channel.js';
import { confine, prepareConfinement, restrictPaths, setRlimits } from './confine.js';
import { execProcess, prepareProcess, setIdentity } from './container-process.js';
import { attachContainerTerminal } from './container-terminal.js';
import { runStage, step } from './init-error.js';
import { buildRoot } from './rootfs.js';
import { setParentDeathSignal } from '../sys/prctl.js';
import { setresgid, setresuid } from '../sys/process.js';

process.title = 'rootless-init';

async function run(bundle: string): Promise<never> {
  // the parent is stage 1's shell, which dies with the CLI: so does this process and its namespace
  setParentDeathSignal(constants.signals.SIGKILL);
  // /proc is still the host's: /proc/self names this process as the CLI sees it (signals go there)
  sendSync({ type: 'pid', pid: Number(readlinkSync('/proc/self')) });
  // the CLI writes the bundle while this process starts; `start` says it is complete
  const start = receiveSync();
  if (start?.type !== 'start') process.exit(125);
  // started before the id maps existed (an early start): now they do, so become the namespace's
  // root (a no-op for a user, whose uid maps to 0; real root is not mapped at all)
  step('become root of the user namespace', () => {
    setresgid(0);
    setresuid(0);
  });
  const spec = step('read config.json', () => JSON.parse(readFileSync(path.join(bundle, 'config.json'), 'utf8')) as RuntimeSpec);
  const setgroupsAllowed = readFileSync('/proc/self/setgroups', 'utf8').trim() === 'allow';
  const confinement = await prepareConfinement(spec);
  buildRoot(spec);
  prepareProcess(spec);
  restrictPaths(spec);
  setRlimits(spec);
  if (spec.process.terminal) attachContainerTerminal(spec.process.user.uid);
  confine(spec, confinement, () => setIdentity(spec, setgroupsAllowed));
  return execProcess(spec);
}

await runStage(() => run(process.argv[2] ?? '.'), 'container init failed');
