// ID-mapped mounts made by the CLI, used by stage 2. Real root's layers on disk are owned by their
// real ids (0, 1, …) and shared by every container; each container sees them through ID-mapped
// mounts in its own range, so no file is chowned or copied per container. `-v SRC:DST:idmap`
// volumes work the same way. The kernel lets only root of the user namespace that mounted a
// filesystem ID-map it (kernel-facts.md), which stage 2 is not, so the CLI (in the host's mount
// namespace) clones each source as a detached mount (open_tree), ID-maps it through stage 1's user
// namespace, and sends the mount fds to stage 2 over a unix socket (SCM_RIGHTS, stage 2's fd 5).
// Stage 2 attaches the layers (move_mount) at the staging dirs its overlay names as lowerdirs,
// and each volume at its destination when the root is built.
import { closeSync, mkdirSync } from 'node:fs';
import { RootlessError } from '../errors.js';
import type { RuntimeSpec } from '../spec/oci.js';
import { createSocketPair, MAX_PASSED_FDS, receiveFds, sendFds } from '../sys/fd-passing.js';
import { SysError } from '../sys/libc.js';
import { MOUNT_ATTR_RDONLY } from '../sys/mount.js';
import { idmapMount, moveMount, openTreeClone } from '../sys/mount-api.js';
import { InitError, step } from './init-error.js';
import { idmappedMountsOf, MOUNT_SOCKET_FD } from './layer-mounts.js';

const EPERM = 1;
const EINVAL = 22;

/** The CLI's side of the mount socket. */
export interface MountSender {
  /** For launchInNamespaces' `extraFds`: stage 2's end as its fd 5. */
  childFds: Record<number, number>;
  /** Closes stage 2's end in the CLI, once stage 1 has it. */
  closeChildEnd(): void;
  /** Sends the mounts the spec's annotation names (none: nothing), then closes the CLI's end. */
  send(spec: RuntimeSpec, stage1Pid: number): void;
  close(): void;
}

export function createMountSender(): MountSender {
  const [parentEnd, childEnd] = createSocketPair();
  const open = new Set([parentEnd, childEnd]);
  const closeOnce = (fd: number) => open.delete(fd) && closeSync(fd);
  return {
    childFds: { [MOUNT_SOCKET_FD]: childEnd },
    closeChildEnd: () => closeOnce(childEnd),
    send(spec, stage1Pid) {
      const mounts = idmappedMountsOf(spec);
      if (mounts) {
        for (const { target } of mounts.layers) mkdirSync(target, { recursive: true, mode: 0o755 });
        const sources = [
          ...mounts.layers.map(({ source }) => ({ source, what: 'the layer', readonly: true })),
          ...mounts.volumes.map(({ source }) => ({ source, what: 'the volume', readonly: false })),
        ];
        sendIdmapped(parentEnd, sources, `/proc/${stage1Pid}/ns/user`);
      }
      closeOnce(parentEnd);
    },
    close() {
      for (const fd of [...open]) closeOnce(fd);
    },
  };
}

function refusal(source: string, what: string, error: unknown): RootlessError {
  const errno = error instanceof SysError ? error.errno : undefined;
  const layer = what === 'the layer';
  if (errno === EPERM) {
    return new RootlessError(`cannot ID-map ${what} ${source}: the kernel lets only root of the user namespace that mounted a filesystem ID-map it (for a host disk, real root)`, {
      remedy: layer ? 'Run `rootless info` to see the layer strategy' : 'Drop :idmap; --userns=keep-id shows your own files as your uid inside',
      cause: error,
    });
  }
  if (errno === EINVAL) {
    return new RootlessError(`cannot ID-map ${what} ${source}: its filesystem does not support ID-mapped mounts`, {
      remedy: layer ? 'Move the store to ext4, xfs, btrfs or tmpfs (ROOTLESS_STORE)' : 'Drop :idmap, or use a directory on ext4, xfs, btrfs or tmpfs',
      cause: error,
    });
  }
  return new RootlessError(`cannot ID-map ${what} ${source}: ${(error as Error).message}`, { cause: error });
}

/** Clones and ID-maps each source through `userns` and sends the mount fds, in order. */
function sendIdmapped(socket: number, sources: Array<{ source: string; what: string; readonly: boolean }>, userns: string): void {
  for (let first = 0; first < sources.length; first += MAX_PASSED_FDS) {
    const fds: number[] = [];
    try {
      for (const { source, what, readonly } of sources.slice(first, first + MAX_PASSED_FDS)) {
        try {
          fds.push(openTreeClone(source));
          idmapMount(fds.at(-1)!, userns, source, readonly ? MOUNT_ATTR_RDONLY : 0);
        } catch (error) {
          throw refusal(source, what, error);
        }
      }
      sendFds(socket, fds, 'mounts');
    } finally {
      for (const fd of fds) closeSync(fd);
    }
  }
}

/** Stage 2: the volume mounts received, by destination, until attached. */
const volumeMounts = new Map<string, number>();

/** Stage 2: receives the mounts; attaches the layers at their staging dirs and keeps the volumes for attachIdmappedVolume. */
export function receiveIdmappedMounts(spec: RuntimeSpec): void {
  const mounts = idmappedMountsOf(spec);
  if (!mounts) return;
  const expected = mounts.layers.length + mounts.volumes.length;
  const fds: number[] = [];
  step('receive the ID-mapped mounts', () => {
    while (fds.length < expected) {
      const received = receiveFds(MOUNT_SOCKET_FD);
      if (received.fds.length === 0) throw new InitError(`received ${fds.length} of ${expected} ID-mapped mounts`);
      fds.push(...received.fds);
    }
    closeSync(MOUNT_SOCKET_FD);
  });
  mounts.layers.forEach(({ target }, index) => {
    step(`attach the ID-mapped layer ${index} at ${target}`, () => moveMount(fds[index]!, target));
    closeSync(fds[index]!);
  });
  mounts.volumes.forEach(({ destination }, index) => volumeMounts.set(destination, fds[mounts.layers.length + index]!));
}

/** Stage 2: attaches the ID-mapped volume for `destination` at `target`. */
export function attachIdmappedVolume(destination: string, target: string): void {
  const fd = volumeMounts.get(destination);
  if (fd === undefined) throw new InitError(`no ID-mapped mount was received for the volume at ${destination}`);
  moveMount(fd, target);
  closeSync(fd);
  volumeMounts.delete(destination);
}
