// Real root's layers on disk are owned by their real ids (0, 1, …) and shared by every container;
// each container sees them through ID-mapped mounts in its own range, so no file is chowned or
// copied per container. The CLI (real root, in the host's mount namespace) clones each layer dir
// as a detached mount (open_tree), ID-maps it through stage 1's user namespace, and sends the
// mount fds to stage 2 over a unix socket (SCM_RIGHTS, fd 5 of stage 2). Stage 2 attaches them
// (move_mount) at the staging dirs the spec's overlay names as its lowerdirs.
import { closeSync, mkdirSync } from 'node:fs';
import { RootlessError } from '../errors.js';
import type { RuntimeSpec } from '../spec/oci.js';
import { createSocketPair, MAX_PASSED_FDS, receiveFds, sendFds } from '../sys/fd-passing.js';
import { MOUNT_ATTR_RDONLY } from '../sys/mount.js';
import { idmapMount, moveMount, openTreeClone } from '../sys/mount-api.js';
import { InitError, step } from './init-error.js';
import { IDMAPPED_LAYERS_ANNOTATION, LAYER_SOCKET_FD } from './layer-mounts.js';

/** The CLI's side of the layer socket. */
export interface LayerSender {
  /** For launchInNamespaces' `extraFds`: stage 2's end as its fd 5. */
  childFds: Record<number, number>;
  /** Closes what the CLI must not keep: stage 2's end once launched, or both ends when done. */
  closeChildEnd(): void;
  /** Sends the ID-mapped layers (see sendIdmappedLayers), then closes the CLI's end. */
  send(layers: string[], mountPoints: string[], stage1Pid: number): void;
  close(): void;
}

export function createLayerSender(): LayerSender {
  const [parentEnd, childEnd] = createSocketPair();
  const open = new Set([parentEnd, childEnd]);
  const closeOnce = (fd: number) => open.delete(fd) && closeSync(fd);
  return {
    childFds: { [LAYER_SOCKET_FD]: childEnd },
    closeChildEnd: () => closeOnce(childEnd),
    send(layers, mountPoints, stage1Pid) {
      sendIdmappedLayers(parentEnd, layers, mountPoints, stage1Pid);
      closeOnce(parentEnd);
    },
    close() {
      for (const fd of [...open]) closeOnce(fd);
    },
  };
}

/**
 * CLI side: creates the mount points and sends one read-only ID-mapped clone of each layer dir
 * (base first) to stage 2. `stage1Pid`'s user namespace must have its id maps written.
 */
function sendIdmappedLayers(socket: number, layers: string[], mountPoints: string[], stage1Pid: number): void {
  for (const dir of mountPoints) mkdirSync(dir, { recursive: true, mode: 0o755 });
  const userns = `/proc/${stage1Pid}/ns/user`;
  for (let first = 0; first < layers.length; first += MAX_PASSED_FDS) {
    const fds: number[] = [];
    try {
      for (const layer of layers.slice(first, first + MAX_PASSED_FDS)) {
        try {
          fds.push(openTreeClone(layer));
          idmapMount(fds.at(-1)!, userns, layer, MOUNT_ATTR_RDONLY);
        } catch (error) {
          throw new RootlessError(`cannot mount the layer ${layer} ID-mapped: ${(error as Error).message}`, {
            remedy: "See `rootless info` (layer strategy): the store's filesystem must allow ID-mapped mounts (ext4, xfs, btrfs, tmpfs); ROOTLESS_STORE moves it",
            cause: error,
          });
        }
      }
      sendFds(socket, fds, 'layers');
    } finally {
      for (const fd of fds) closeSync(fd);
    }
  }
}

/** Stage 2 side: receives the layer mounts and attaches each at its staging dir. */
export function attachIdmappedLayers(spec: RuntimeSpec): void {
  const annotation = spec.annotations?.[IDMAPPED_LAYERS_ANNOTATION];
  if (!annotation) return;
  const mountPoints = JSON.parse(annotation) as string[];
  const fds: number[] = [];
  step('receive the ID-mapped layers', () => {
    while (fds.length < mountPoints.length) {
      const received = receiveFds(LAYER_SOCKET_FD);
      if (received.fds.length === 0) throw new InitError(`received ${fds.length} of ${mountPoints.length} ID-mapped layers`);
      fds.push(...received.fds);
    }
    closeSync(LAYER_SOCKET_FD);
  });
  mountPoints.forEach((target, index) => {
    step(`attach the ID-mapped layer ${index} at ${target}`, () => moveMount(fds[index]!, target));
    closeSync(fds[index]!);
  });
}
