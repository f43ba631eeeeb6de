// Unpacks one layer tar into a directory as an OverlayFS lower layer (`userxattr` form).
// The tar is untrusted: every entry path is normalised and its parents are checked component by
// component with lstat, so no entry (`..`, absolute, through a symlink the layer itself made, a
// hard link to outside) can write outside the layer directory. Such a layer is refused whole.
// Runs as root of the user's user namespace, so the tar's owners land in the subordinate range.
// File system calls are synchronous: the worker process does nothing else meanwhile, and a layer's
// hundreds of small calls cost several times more through the thread pool.
import {
  closeSync, constants, linkSync, lchownSync, lstatSync, lutimesSync, mkdirSync, openSync, rmSync, symlinkSync, unlinkSync, writeSync,
  chmodSync, type Stats,
} from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { RootlessError, errnoCode } from '../errors.js';
import { S_IFCHR, S_IFBLK, S_IFIFO, lsetxattr, makeDev, mknod } from '../sys/fs.js';

export const OPAQUE_XATTR = 'user.overlay.opaque';
const WHITEOUT_PREFIX = '.wh.';
const OPAQUE_MARKER = '.wh..wh..opq';
const WRITE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

export interface UnpackResult {
  /** One line per kind of thing that could not be reproduced (device nodes, ownership). */
  notes: string[];
}

function unsafeEntry(name: string, why: string): RootlessError {
  return new RootlessError(`layer entry \`${name}\` ${why}; the layer was refused`, {
    remedy: 'The image is broken or hostile: use another image or rebuild it',
  });
}

/** The path components of an entry name; refuses absolute names and `..`. */
export function entryComponents(name: string): string[] {
  if (name.startsWith('/')) throw unsafeEntry(name, 'is an absolute path');
  const parts = name.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) throw unsafeEntry(name, 'climbs out with `..`');
  return parts;
}

function lstatIfExists(full: string): Stats | undefined {
  return lstatSync(full, { throwIfNoEntry: false });
}

/** Writes an entry's body to a new file (never through an existing name or symlink). */
async function writeNewFile(full: string, body: AsyncIterable<unknown>): Promise<void> {
  const fd = openSync(full, WRITE_NEW, 0o600);
  try {
    for await (const chunk of body) {
      const data = chunk as Buffer;
      for (let offset = 0; offset < data.length; ) offset += writeSync(fd, data, offset);
    }
  } finally {
    closeSync(fd);
  }
}

interface DirAttributes {
  mode: number;
  mtime: Date;
}

class LayerUnpacker {
  /** Relative paths already known to be real directories (not symlinks) inside the layer. */
  private readonly knownDirs = new Set<string>();
  /** Directory modes and mtimes, applied after everything inside them was written. */
  private readonly dirAttributes = new Map<string, DirAttributes>();
  private readonly notes = new Set<string>();

  constructor(private readonly root: string) {}

  async unpack(input: Readable): Promise<UnpackResult> {
    const extract = tar.extract();
    input.on('error', (error) => extract.destroy(error));
    input.pipe(extract);
    try {
      for await (const entry of extract) {
        await this.write(entry.header, entry);
        entry.resume();
      }
    } catch (error) {
      extract.destroy();
      input.destroy();
      throw error;
    }
    for (const [full, { mode, mtime }] of this.dirAttributes) {
      chmodSync(full, mode);
      lutimesSync(full, mtime, mtime);
    }
    return { notes: [...this.notes] };
  }

  /** Checks (and creates when missing) the parent directories of an entry; returns the full path. */
  private parentOf(name: string, parts: string[], create: boolean): string {
    for (let depth = 1; depth < parts.length; depth++) {
      const relative = parts.slice(0, depth).join('/');
      if (this.knownDirs.has(relative)) continue;
      const full = path.join(this.root, relative);
      const stats = lstatIfExists(full);
      if (!stats && !create) throw Object.assign(new Error(`${full} does not exist`), { code: 'ENOENT' });
      if (!stats) mkdirSync(full, { mode: 0o755 });
      else if (stats.isSymbolicLink()) throw unsafeEntry(name, `goes through the symlink \`${relative}\``);
      else if (!stats.isDirectory()) throw unsafeEntry(name, `goes through \`${relative}\`, which is not a directory`);
      this.knownDirs.add(relative);
    }
    return path.join(this.root, ...parts);
  }

  /** Removes what an entry replaces; keeps an existing directory when the entry is one too. */
  private clearTarget(full: string, relative: string, keepDirectory: boolean): boolean {
    const stats = lstatIfExists(full);
    if (!stats) return false;
    if (stats.isDirectory()) {
      if (keepDirectory) return true;
      rmSync(full, { recursive: true });
      for (const known of this.knownDirs) if (known === relative || known.startsWith(`${relative}/`)) this.knownDirs.delete(known);
      for (const dir of this.dirAttributes.keys()) if (dir === full || dir.startsWith(`${full}/`)) this.dirAttributes.delete(dir);
      return false;
    }
    unlinkSync(full);
    return false;
  }

  private async write(header: tar.Header, body: AsyncIterable<unknown>): Promise<void> {
    const parts = entryComponents(header.name);
    if (parts.length === 0) return; // the layer root itself: its owner and mode stay the store's
    const base = parts[parts.length - 1]!;
    const full = this.parentOf(header.name, parts, true);
    if (base.startsWith(WHITEOUT_PREFIX)) return this.whiteout(header.name, parts, base, full);
    const relative = parts.join('/');
    const isDirectory = header.type === 'directory';
    const existingDirectory = this.clearTarget(full, relative, isDirectory);
    const mode = (header.mode ?? 0o644) & 0o7777;
    const mtime = header.mtime ?? new Date(0);
    switch (header.type) {
      case 'directory':
        if (!existingDirectory) mkdirSync(full, { mode: 0o700 });
        this.knownDirs.add(relative);
        this.chown(full, header);
        this.dirAttributes.set(full, { mode, mtime });
        return;
      case 'file':
      case 'contiguous-file':
        await writeNewFile(full, body);
        break;
      case 'symlink':
        symlinkSync(header.linkname ?? '', full);
        break;
      case 'link':
        linkSync(this.linkTarget(header.name, header.linkname ?? ''), full);
        return; // the same inode as its target: owner, mode and times are the target's
      case 'character-device':
      case 'block-device':
      case 'fifo':
        if (!this.device(header, full, mode)) return;
        break;
      default:
        this.notes.add(`skipped entries of tar type ${header.type}`);
        return;
    }
    this.chown(full, header);
    if (header.type !== 'symlink') chmodSync(full, mode); // after chown, which clears setuid
    lutimesSync(full, mtime, mtime);
    this.setXattrs(full, header);
  }

  /** `.wh.NAME` → character device 0:0 NAME; `.wh..wh..opq` → the parent is opaque. */
  private whiteout(name: string, parts: string[], base: string, full: string): void {
    const parent = path.dirname(full);
    if (base === OPAQUE_MARKER) {
      lsetxattr(parent, OPAQUE_XATTR, 'y');
      return;
    }
    if (base.startsWith(`${WHITEOUT_PREFIX}${WHITEOUT_PREFIX}`)) return; // aufs bookkeeping, meaningless here
    const hidden = base.slice(WHITEOUT_PREFIX.length);
    if (hidden === '' || hidden === '.' || hidden === '..') throw unsafeEntry(name, 'is a whiteout without a name');
    const target = path.join(parent, hidden);
    this.clearTarget(target, [...parts.slice(0, -1), hidden].join('/'), false);
    mknod(target, S_IFCHR, 0n);
  }

  private linkTarget(name: string, linkname: string): string {
    const parts = entryComponents(linkname);
    if (parts.length === 0) throw unsafeEntry(name, 'is a hard link to the layer root');
    let target: string;
    try {
      target = this.parentOf(name, parts, false);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') throw unsafeEntry(name, `links to \`${linkname}\`, which is not in the layer`);
      throw error;
    }
    const stats = lstatIfExists(target);
    if (!stats) throw unsafeEntry(name, `links to \`${linkname}\`, which is not in the layer`);
    if (stats.isDirectory()) throw unsafeEntry(name, `is a hard link to the directory \`${linkname}\``);
    return target;
  }

  /** Creates a device node or fifo; false when an unprivileged user may not (real devices). */
  private device(header: tar.Header, full: string, mode: number): boolean {
    const type = header.type === 'fifo' ? S_IFIFO : header.type === 'block-device' ? S_IFBLK : S_IFCHR;
    try {
      mknod(full, type | mode, makeDev(header.devmajor ?? 0, header.devminor ?? 0));
      return true;
    } catch (error) {
      if (errnoCode(error) !== 'EPERM') throw error;
      this.notes.add('skipped device nodes (an unprivileged user cannot create them; the runtime provides /dev)');
      return false;
    }
  }

  private chown(full: string, header: tar.Header): void {
    const uid = header.uid ?? 0;
    const gid = header.gid ?? 0;
    if (uid === 0 && gid === 0) return; // created by (namespace) root already
    try {
      lchownSync(full, uid, gid);
    } catch (error) {
      // EINVAL: the id is not mapped (a namespace with a single id): the file stays the user's
      if (errnoCode(error) !== 'EINVAL') throw error;
      this.notes.add('file owners other than root were not kept (only one id is mapped)');
    }
  }

  /** PAX `SCHILY.xattr.user.*`; other namespaces need privileges the user lacks, and overlay's own are never taken from a layer. */
  private setXattrs(full: string, header: tar.Header): void {
    const pax = header.pax as Record<string, string> | null | undefined;
    if (!pax) return;
    for (const [key, value] of Object.entries(pax)) {
      if (!key.startsWith('SCHILY.xattr.user.')) continue;
      const name = key.slice('SCHILY.xattr.'.length);
      if (name.startsWith('user.overlay.')) continue;
      lsetxattr(full, name, value);
    }
  }
}

/** Unpacks an uncompressed layer tar stream into `root` (an existing, empty directory). */
export function unpackLayer(input: Readable, root: string): Promise<UnpackResult> {
  return new LayerUnpacker(root).unpack(input);
}
