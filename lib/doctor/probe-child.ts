// The doctor's probe, run inside namespaces: mounts overlayfs with userxattr on the store's
// filesystem and ID-maps mounts, then reports over the control channel (fd 3) and waits until
// the CLI closes it, so that its user namespace can serve another probe meanwhile.
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, writeFileSync } from 'node:fs';
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
  /** `userns`: the user namespace to map through (/proc/PID/ns/user). */
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
    idmapMount(treeFd, userns, target.path);
    moveMount(treeFd, target.mountPoint);
  } finally {
    closeSync(treeFd);
  }
}

const request = receiveSync() as ProbeRequest | null;
if (request?.type === 'probe') {
  const result: ProbeResult = { type: 'result' };
  if (request.overlay) result.overlay = attempt(() => probeOverlay(request.overlay!.dir));
  if (request.idmap) {
    const { userns, targets } = request.idmap;
    result.idmap = targets.map((target) => ({ name: target.name, ...attempt(() => probeIdmap(target, userns)) }));
  }
  sendSync(result);
  receiveSync();
}
