// The common start of the Node stages inside a container's namespaces (stage 2 of `run`, the exec
// stage of `exec`): tied to their parent's life, introduced to the CLI, then loading the
// container's config.json as root of its user namespace. Tiny imports, as the stages themselves.
import { readFileSync, readlinkSync } from 'node:fs';
import { constants } from 'node:os';
import path from 'node:path';
import type { RuntimeSpec } from '../spec/oci.js';
import { setParentDeathSignal } from '../sys/prctl.js';
import { setresgid, setresuid } from '../sys/process.js';
import { receiveSync, sendSync, type Message } from './channel.js';
import { prepareConfinement, type Confinement } from './confine.js';
import { step } from './init-error.js';

/**
 * Dies with the parent (stage 1's shell or nsenter, which die with the CLI), sends the CLI this
 * process's host pid (signals go there), and waits for the CLI's message of type `expected`.
 */
export function greetCli(expected: string): Message {
  setParentDeathSignal(constants.signals.SIGKILL);
  // /proc is still the host's: /proc/self names this process as the CLI sees it
  sendSync({ type: 'pid', pid: Number(readlinkSync('/proc/self')) });
  const message = receiveSync();
  if (message?.type !== expected) process.exit(125);
  return message;
}

export interface LoadedSpec {
  spec: RuntimeSpec;
  setgroupsAllowed: boolean;
  confinement: Confinement;
}

/**
 * Becomes root of the user namespace (a no-op for a user, whose uid maps to 0; real root is not
 * mapped, and stage 2 starts before the maps exist), reads the bundle's config.json and prepares
 * the seccomp program while lib/ is still reachable.
 */
export async function loadSpec(bundle: string): Promise<LoadedSpec> {
  step('become root of the user namespace', () => {
    setresgid(0);
    setresuid(0);
  });
  const spec = step('read config.json', () => JSON.parse(readFileSync(path.join(bundle, 'config.json'), 'utf8')) as RuntimeSpec);
  const setgroupsAllowed = readFileSync('/proc/self/setgroups', 'utf8').trim() === 'allow';
  return { spec, setgroupsAllowed, confinement: await prepareConfinement(spec) };
}
