// Stage 2 builds the container's root from the spec's mounts, in order (bubblewrap's "setup ops"
// idea: the plan is data, this file executes it), then pivots into it with runc's
// pivot_root(".", ".") trick. Runs inside the new user and mount namespaces as their root.
import { closeSync, mkdirSync, openSync, statSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import {
  MNT_DETACH, MOUNT_ATTR_NODEV, MOUNT_ATTR_NOEXEC, MOUNT_ATTR_NOSUID, MOUNT_ATTR_RDONLY, MS_BIND, MS_NOATIME, MS_NODEV,
  MS_NOEXEC, MS_NOSUID, MS_PRIVATE, MS_RDONLY, MS_REC, MS_RELATIME, MS_STRICTATIME,
  mount, mountSetattr, pivotRoot, umount2,
} from '../sys/mount.js';
import { bringInterfaceUp } from '../sys/net.js';
import type { RuntimeSpec, SpecMount } from '../spec/oci.js';
import { attachIdmappedVolume } from './idmapped-mounts.js';
import { step } from './init-error.js';
import { resolveInRoot } from './root-path.js';

const mountFlags: Record<string, number> = {
  ro: MS_RDONLY, rw: 0, nosuid: MS_NOSUID, nodev: MS_NODEV, noexec: MS_NOEXEC,
  strictatime: MS_STRICTATIME, relatime: MS_RELATIME, noatime: MS_NOATIME, bind: MS_BIND, rbind: MS_BIND | MS_REC,
};

const bindAttributes: Record<string, number> = { ro: MOUNT_ATTR_RDONLY, nosuid: MOUNT_ATTR_NOSUID, nodev: MOUNT_ATTR_NODEV, noexec: MOUNT_ATTR_NOEXEC };

/** Splits mount(8)-style options into MS_* flags and the filesystem's data string. */
export function splitOptions(options: string[] = []): { flags: number; data: string } {
  let flags = 0;
  const data: string[] = [];
  for (const option of options) {
    const flag = mountFlags[option];
    if (flag === undefined) data.push(option);
    else flags |= flag;
  }
  return { flags, data: data.join(',') };
}

/** Creates the mount point: a file for a file bind mount, else a directory. */
function createMountPoint(target: string, entry: SpecMount): void {
  const isFile = entry.type === 'bind' && !statSync(entry.source).isDirectory();
  if (!isFile) {
    mkdirSync(target, { recursive: true, mode: 0o755 });
    return;
  }
  mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 });
  closeSync(openSync(target, 'a', 0o644));
}

/**
 * A bind mount keeps the flags of its source mount; ro/nosuid/nodev/noexec are added with
 * mount_setattr, which changes only the named attributes and so never drops the flags the
 * kernel locked (a remount that omits them gets EPERM).
 */
function bindMount(entry: SpecMount, target: string): void {
  const options = entry.options ?? [];
  const recursive = options.includes('rbind');
  if (options.includes('idmap')) attachIdmappedVolume(entry.destination, target);
  else mount(entry.source, target, null, MS_BIND | (recursive ? MS_REC : 0));
  const attributes = options.reduce((sum, option) => sum | (bindAttributes[option] ?? 0), 0);
  if (attributes) mountSetattr(target, attributes, recursive);
}

function mountFilesystem(entry: SpecMount, target: string): void {
  const { flags, data } = splitOptions(entry.options);
  try {
    mount(entry.source, target, entry.type, flags, data || null);
  } catch (error) {
    // devpts rejects gid= when that group is not mapped (a single-id namespace): retry without it
    if (entry.type !== 'devpts' || !data.includes('gid=')) throw error;
    mount(entry.source, target, entry.type, flags, data.replace(/(^|,)gid=[0-9]+/, '') || null);
  }
}

/** A new sysfs needs a network namespace owned by ours; without one, the host's, read-only. */
function mountSysfs(entry: SpecMount, target: string): void {
  try {
    mountFilesystem(entry, target);
  } catch {
    bindMount({ ...entry, type: 'bind', source: '/sys', options: ['rbind', 'nosuid', 'nodev', 'noexec', 'ro'] }, target);
  }
}

function mountEntry(rootfs: string, entry: SpecMount): void {
  const target = entry.destination === '/' ? rootfs : resolveInRoot(rootfs, entry.destination);
  const what = `mount ${entry.type} on ${entry.destination === '/' ? target : entry.destination}`;
  if (entry.destination !== '/') step(`create the mount point ${entry.destination}`, () => createMountPoint(target, entry));
  const mountOne = entry.type === 'bind' ? bindMount : entry.type === 'sysfs' ? mountSysfs : mountFilesystem;
  step(what, () => mountOne(entry, target));
}

const devLinks: Array<[string, string]> = [
  ['fd', '/proc/self/fd'],
  ['stdin', '/proc/self/fd/0'],
  ['stdout', '/proc/self/fd/1'],
  ['stderr', '/proc/self/fd/2'],
  ['ptmx', 'pts/ptmx'],
];

function createDevLinks(rootfs: string): void {
  for (const [name, target] of devLinks) step(`create /dev/${name}`, () => symlinkSync(target, path.join(rootfs, 'dev', name)));
}

/** Mounts everything, then makes the rootfs the process's "/" and drops the host's tree. */
export function buildRoot(spec: RuntimeSpec): void {
  const rootfs = spec.root.path;
  step('make the mounts of the new mount namespace private', () => mount(null, '/', null, MS_REC | MS_PRIVATE));
  for (const entry of spec.mounts) mountEntry(rootfs, entry);
  createDevLinks(rootfs);
  if (spec.linux.namespaces.some((namespace) => namespace.type === 'network')) step('bring up lo', () => bringInterfaceUp('lo'));
  step(`pivot_root to ${rootfs}`, () => {
    process.chdir(rootfs);
    pivotRoot('.', '.');
    umount2('.', MNT_DETACH);
    process.chdir('/');
  });
}
