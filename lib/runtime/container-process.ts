// The last steps of stage 2, after pivot_root: become the spec's user, leave nothing of Node's
// process state behind (close-on-exec stdio, ignored signals, extra fds; confine.ts sets the
// capabilities, the ambient set included), find the command in the container's PATH and execve
// it. Exit codes as docker: 127 not found, 126 cannot run.
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SysError } from '../sys/libc.js';
import { setParentDeathSignal } from '../sys/prctl.js';
import {
  closeOnExecFrom, execve, prepareInheritedFd, resetSignals, setgroups, setresgid, setresuid, sethostname,
} from '../sys/process.js';
import { envValue } from '../spec/flag-values.js';
import type { RuntimeSpec } from '../spec/oci.js';
import { sendSync } from './channel.js';
import { InitError, step } from './init-error.js';

const { SIGKILL } = os.constants.signals;

/** 127 when the file is missing, 126 when it exists but cannot be run (EACCES, ENOEXEC, EISDIR…). */
function execExitCode(error: SysError): number {
  return error.code === 'ENOENT' || error.code === 'ENOTDIR' ? 127 : 126;
}

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Like Go's exec.LookPath, which runc uses: names with a slash are taken as they are. */
export function findCommand(name: string, searchPath: string, isExecutable = isExecutableFile): string {
  if (name.includes('/')) return name;
  for (const dir of searchPath.split(':')) {
    const candidate = path.join(dir || '.', name);
    if (isExecutable(candidate)) return candidate;
  }
  throw new InitError(`exec: "${name}": executable file not found in $PATH`, 127);
}

/** After pivot_root, as root of the namespaces: host name and working directory. */
export function prepareProcess(spec: RuntimeSpec): void {
  step('sethostname', () => sethostname(spec.hostname));
  step(`create the working directory ${spec.process.cwd}`, () => mkdirSync(spec.process.cwd, { recursive: true, mode: 0o755 }));
}

/** The container's ids (called by applyCapabilities, between its bounding drop and capset). */
export function setIdentity(spec: RuntimeSpec, setgroupsAllowed: boolean): void {
  const { user } = spec.process;
  if (setgroupsAllowed) step('setgroups', () => setgroups(user.additionalGids ?? []));
  step(`setresgid ${user.gid}`, () => setresgid(user.gid));
  step(`setresuid ${user.uid}`, () => setresuid(user.uid));
}

export function execProcess(spec: RuntimeSpec): never {
  const { args, env, cwd } = spec.process;
  step(`chdir to ${cwd}`, () => process.chdir(cwd), (error) => (error.code === 'EACCES' ? 126 : 125));
  step('set the parent-death signal', () => setParentDeathSignal(SIGKILL)); // a credential change cleared it
  step('prepare stdio', () => [0, 1, 2].forEach(prepareInheritedFd));
  step('mark fds close-on-exec', () => closeOnExecFrom(3));
  step('reset signal dispositions', () => resetSignals());
  const file = findCommand(args[0]!, envValue(env, 'PATH') ?? '');
  sendSync({ type: 'exec' });
  return step(`exec ${file}`, () => execve(file, args, env), execExitCode);
}
