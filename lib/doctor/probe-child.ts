// The doctor's probe, run inside namespaces: mounts overlayfs with userxattr on the store's
// filesystem and ID-maps mounts, then reports over the control channel (fd 3) and waits until
// the CLI closes it, so that its user namespace can serve another probe meanwhile.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, readlinkSync, writeFileSync } from 'node:fs';
import { receiveSync, sendSync } from '../runtime/channel.js';
import { idmapMount, mountFilesystem, moveMount, openTreeClone } from '../sys/mount-api.js';

export interface IdmapTarget {
  name: 'store' | 'tmpfs';
  /** The directory to ID-map (for tmpfs: where the probe mounts a fresh tmpfs first). */
  path: string;
  /** Where the ID-mapped mount gets attached. */
  mountPoint: string;
}

// Type aliases, not interfaces: messages must fit the channel's Message index signature.
export type ProbeRequest = {
  type: 'probe';
  /** A directory holding lower/ (with probe.sh), upper/, work/, merged/. */
  overlay?: { dir: string };
  /**
   * `userns`: the user namespace to map through (/proc/PID/ns/user), or 'nested' for a new one
   * inside the probe's: the kernel refuses (EINVAL) to ID-map a mount through the very namespace
   * that owns its superblock, which our own namespace is for a tmpfs we mounted.
   */
  idmap?: { userns: string; targets: IdmapTarget[] };
};

export interface ProbeOutcome {
  works: boolean;
  error?: string;
}

export type ProbeResult = {
  type: 'result';
  overlay?: ProbeOutcome;
  idmap?: Array<ProbeOutcome & { name: IdmapTarget['name'] }>;
};

function attempt(step: () => void): ProbeOutcome {
  try {
    step();
    return { works: true };
  } catch (error) {
    return { works: false, error: (error as Error).message.split('\n')[0] };
  }
}

function probeOverlay(dir: string): void {
  const merged = `${dir}/merged`;
  const options: Array<[string, string?]> = [['userxattr'], ['lowerdir', `${dir}/lower`], ['upperdir', `${dir}/upper`], ['workdir', `${dir}/work`]];
  mountFilesystem('overlay', options, merged);
  // A noexec mount below the layers would stop every container's entrypoint: run a program from the overlay.
  execFileSync(`${merged}/probe.sh`, { stdio: 'ignore' });
  writeFileSync(`${merged}/written`, 'probe\n');
  if (!existsSync(`${dir}/upper/written`)) throw new Error('a file written to the overlay did not reach the upper directory');
}

function probeIdmap(target: IdmapTarget, userns: string): void {
  if (target.name === 'tmpfs') mountFilesystem('tmpfs', [['size', '1m'], ['mode', '0755']], target.path);
  const treeFd = openTreeClone(target.path);
  try {
    idmapMount(treeFd, userns);
    moveMount(treeFd, target.mountPoint);
  } finally {
    closeSync(treeFd);
  }
}

function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** A process in a user namespace nested in ours (we are its owner's root, so we control it). */
function nestedUserNamespace(): { path: string; holder: ChildProcess } {
  const holder = spawn('unshare', ['--user', '--map-root-user', '--', '/bin/sh', '-c', 'read _'], { stdio: ['pipe', 'ignore', 'ignore'] });
  const own = readlinkSync('/proc/self/ns/user');
  for (let tries = 0; tries < 2000 && holder.pid !== undefined; tries++) {
    try {
      if (readlinkSync(`/proc/${holder.pid}/ns/user`) !== own) return { path: `/proc/${holder.pid}/ns/user`, holder };
    } catch {
      break; // the holder died: unshare is missing or refused
    }
    pause(1);
  }
  holder.kill('SIGKILL');
  throw new Error('could not create a nested user namespace with unshare');
}

function probeIdmapTargets(targets: IdmapTarget[], userns: string): ProbeResult['idmap'] {
  let nested: ReturnType<typeof nestedUserNamespace> | undefined;
  try {
    if (userns === 'nested') nested = nestedUserNamespace();
  } catch (error) {
    return targets.map((target) => ({ name: target.name, works: false, error: (error as Error).message }));
  }
  try {
    return targets.map((target) => ({ name: target.name, ...attempt(() => probeIdmap(target, nested?.path ?? userns)) }));
  } finally {
    nested?.holder.kill('SIGKILL');
  }
}

const request = receiveSync() as ProbeRequest | null;
if (request?.type === 'probe') {
  const result: ProbeResult = { type: 'result' };
  if (request.overlay) result.overlay = attempt(() => probeOverlay(request.overlay!.dir));
  if (request.idmap) result.idmap = probeIdmapTargets(request.idmap.targets, request.idmap.userns);
  sendSync(result);
  receiveSync();
}
