// The exec stage of `rootless exec`: nsenter has joined the container's user, PID, UTS, IPC,
// network and cgroup namespaces and forked this process into its PID namespace. It joins the
// mount namespace itself once every module is loaded (after that only the container's files are
// visible), then confines itself as stage 2 confines the container's PID 1, from the container's
// config.json, and execs the command. Synchronous on the main thread; imports stay tiny.
// Usage: node exec-stage.js BUNDLE_DIR INIT_PID   (fd 3: the control channel; fd 4 with -t: the terminal socket)
import { readFileSync } from 'node:fs';
import { RootlessError } from '../errors.js';
import { execProcessSpec, type ExecRequest } from '../spec/exec-process.js';
import type { RuntimeSpec } from '../spec/oci.js';
import { joinMountNamespace } from '../sys/namespace.js';
import { capabilityNumbers } from './capabilities.js';
import { confine, setRlimits } from './confine.js';
import { execProcess, setIdentity } from './container-process.js';
import { attachContainerTerminal } from './container-terminal.js';
import { InitError, runStage, step } from './init-error.js';
import { greetCli, loadSpec } from './stage-start.js';

process.title = 'rootless-exec';

function readContainerFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** The exec'd process; a user the container does not know is the CLI's one line, with a remedy. */
function resolveProcess(spec: RuntimeSpec, request: ExecRequest): RuntimeSpec['process'] {
  try {
    return execProcessSpec(spec.process, request, readContainerFile('/etc/passwd'), readContainerFile('/etc/group'));
  } catch (error) {
    if (error instanceof RootlessError) throw new InitError(error.message, error.exitCode, undefined, error.remedy);
    throw error;
  }
}

async function run(bundle: string, initPid: string): Promise<never> {
  const request = greetCli('request').request as ExecRequest;
  // real root's credentials were set by nsenter
  const { spec, setgroupsAllowed, confinement } = await loadSpec(bundle);
  step("join the container's mount namespace", () => joinMountNamespace(`/proc/${initPid}/ns/mnt`));
  const execSpec: RuntimeSpec = { ...spec, process: resolveProcess(spec, request) };
  setRlimits(execSpec);
  if (request.tty) attachContainerTerminal(execSpec.process.user.uid);
  confine(execSpec, { ...confinement, caps: capabilityNumbers(execSpec.process.capabilities) }, () => setIdentity(execSpec, setgroupsAllowed));
  return execProcess(execSpec);
}

await runStage(() => run(process.argv[2] ?? '.', process.argv[3] ?? ''), 'exec failed');
