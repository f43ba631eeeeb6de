// Runs the probe child (probe-child.ts) where the runtime itself would mount things: overlayfs
// inside a user namespace on the store's filesystem, and ID-mapped mounts of the store and of a
// tmpfs. An unprivileged user probes everything in one user namespace of its own; root ID-maps
// as real root (in a private mount namespace) through the user namespace its containers get.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import path from 'node:path';
import { installedFile } from '../paths.js';
import { OuterChannel } from '../runtime/channel.js';
import { defaultUserNamespace, findHelper, type UserIdentity, type UserNamespacePlan } from '../runtime/idmap.js';
import { launchInNamespaces } from '../runtime/launcher.js';
import type { IdmapTarget, ProbeOutcome, ProbeRequest, ProbeResult } from './probe-child.js';
import type { IdmapProbeInfo, ProbeOutcomeInfo, StoreInfo } from './types.js';

const probeChild = installedFile('doctor/probe-child.js');
const PROBE_TIMEOUT_MS = 20_000;

export interface ProbeResults {
  /** null: not probed, `skipped` says why. */
  overlay: ProbeOutcomeInfo | null;
  idmap: IdmapProbeInfo[] | null;
  skipped: string | null;
}

interface RunningProbe {
  child: ChildProcess;
  channel: OuterChannel;
  exited: Promise<number>;
  stderr: () => string;
}

function collectStderr(child: ChildProcess): () => string {
  let text = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => (text = (text + chunk).slice(-2000)));
  return () => text.trim().split('\n').pop() ?? '';
}

/** Sends the request and waits (bounded) for the result; a dead or silent child becomes an error. */
async function exchange(probe: RunningProbe, request: ProbeRequest): Promise<ProbeResult> {
  probe.channel.send(request);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), PROBE_TIMEOUT_MS)));
  const message = await Promise.race([probe.channel.receive(), timeout]);
  clearTimeout(timer);
  if (message?.type === 'result') return message as ProbeResult;
  throw new Error(`the probe stopped without an answer${probe.stderr() ? `: ${probe.stderr()}` : ''}`);
}

async function finish(probe: RunningProbe | undefined): Promise<void> {
  if (!probe) return;
  probe.channel.close();
  const killer = setTimeout(() => probe.child.kill('SIGKILL'), 5000);
  await probe.exited.catch(() => undefined);
  clearTimeout(killer);
}

async function launchProbe(plan: UserNamespacePlan): Promise<RunningProbe> {
  const launched = await launchInNamespaces({
    namespaces: ['user', 'mount'],
    plan,
    argv: [process.execPath, probeChild],
    keepChannel: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return { ...launched, stderr: collectStderr(launched.child) };
}

/** Real root in a private mount namespace: ID-mapping a host filesystem needs init-namespace CAP_SYS_ADMIN. */
function spawnRootProbe(): RunningProbe {
  const unshare = findHelper('unshare') ?? 'unshare';
  const child = spawn(unshare, ['--mount', '--propagation', 'private', '--', process.execPath, probeChild], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number>((resolve) => {
    child.once('error', () => resolve(127));
    child.once('exit', (code) => resolve(code ?? 128));
  });
  const socket = child.stdio[3] as unknown as Socket;
  return { child, channel: new OuterChannel(socket, socket), exited, stderr: collectStderr(child) };
}

function outcome(result: ProbeOutcome | undefined, missing: string): ProbeOutcomeInfo {
  return result ? { works: result.works, error: result.error ?? null } : { works: false, error: missing };
}

/** Lays out lower/ (with a program), upper/, work/, merged/ and mount points in a fresh directory. */
function prepareProbeDir(base: string, owner?: { uid: number; gid: number }): string {
  const dir = mkdtempSync(path.join(base, '.rootless-doctor-'));
  try {
    chmodSync(dir, 0o755); // the namespace's root is another uid for real root: it must traverse
    for (const name of ['lower', 'upper', 'work', 'merged', 'idmap-store', 'tmpfs', 'idmap-tmpfs']) mkdirSync(path.join(dir, name));
    writeFileSync(path.join(dir, 'lower', 'probe.sh'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    if (owner) for (const name of ['upper', 'work', 'merged']) chownSync(path.join(dir, name), owner.uid, owner.gid);
    return dir;
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Where the probe may write on the store's filesystem: store/tmp, the store, or the parent that will hold it. */
function probeBase(store: StoreInfo): string {
  const tmp = path.join(store.path, 'tmp');
  if (existsSync(tmp)) return tmp;
  return store.exists ? store.path : store.checkedPath;
}

export async function runProbes(store: StoreInfo, user: UserIdentity): Promise<ProbeResults> {
  if (!store.writable) return { overlay: null, idmap: null, skipped: `${store.checkedPath} is not writable` };
  const root = user.uid === 0;
  // Unprivileged: a single-id map is enough to test the filesystem, and does not depend on newuidmap.
  const plan: UserNamespacePlan = root
    ? defaultUserNamespace(user)
    : { uidMappings: [{ containerID: 0, hostID: user.uid, size: 1 }], gidMappings: [{ containerID: 0, hostID: user.gid, size: 1 }] };
  const namespaceRoot = root ? { uid: plan.uidMappings[0]!.hostID, gid: plan.gidMappings[0]!.hostID } : undefined;
  let dir: string;
  try {
    dir = prepareProbeDir(probeBase(store), namespaceRoot);
  } catch (error) {
    return { overlay: null, idmap: null, skipped: `cannot prepare a probe directory: ${(error as Error).message}` };
  }
  const targets: IdmapTarget[] = [
    { name: 'store', path: path.join(dir, 'lower'), mountPoint: path.join(dir, 'idmap-store') },
    { name: 'tmpfs', path: path.join(dir, 'tmpfs'), mountPoint: path.join(dir, 'idmap-tmpfs') },
  ];
  const filesystems = { store: store.filesystem, tmpfs: 'tmpfs' };
  let inNamespace: RunningProbe | undefined;
  let asRoot: RunningProbe | undefined;
  try {
    inNamespace = await launchProbe(plan);
    const own = await exchange(inNamespace, { type: 'probe', overlay: { dir }, ...(root ? {} : { idmap: { userns: 'nested', targets } }) });
    let idmap = own.idmap;
    if (root) {
      asRoot = spawnRootProbe();
      idmap = (await exchange(asRoot, { type: 'probe', idmap: { userns: `/proc/${inNamespace.child.pid}/ns/user`, targets } })).idmap;
    }
    return {
      skipped: null,
      overlay: outcome(own.overlay, 'not probed'),
      idmap: targets.map(({ name }) => ({ target: name, filesystem: filesystems[name], ...outcome(idmap?.find((r) => r.name === name), 'not probed') })),
    };
  } catch (error) {
    return { overlay: { works: false, error: (error as Error).message }, idmap: null, skipped: null };
  } finally {
    await Promise.all([finish(asRoot), finish(inNamespace)]);
    rmSync(dir, { recursive: true, force: true });
  }
}
