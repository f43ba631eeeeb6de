// The image store (layout in docs/ARCHITECTURE.md): verified blobs, unpacked layers shared by
// every image, and image records in images.json. Everything that changes the store happens under
// the store lock; new blobs and layers are staged in tmp/ and renamed into place only after they
// were verified, so a killed pull leaves garbage in tmp/ at worst, never a half-written record.
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { RootlessError, errnoCode } from '../errors.js';
import { storeDir } from '../paths.js';
import { removeAsNamespaceRoot } from '../runtime/remove.js';
import { canonicalReference, parseReference, repositoryName } from './reference.js';
import { acquireFileLock, createTempDir, removeStaleTempDirs, type TempDir } from './store-lock.js';

export interface ImageRecord {
  /** Config digest, "sha256:…" (Docker's image id). */
  id: string;
  /** Digest of what the reference resolved to (an index for multi-platform images). */
  digest: string;
  /** Every manifest and index digest pulled for this image (a multi-platform pull adds two). */
  digests: string[];
  /** Canonical references, e.g. "docker.io/library/alpine:latest". */
  names: string[];
  /** diff_ids, base layer first. */
  layers: string[];
  created?: string;
  /** Bytes of all compressed layers. */
  size: number;
  platform: { os: string; architecture: string; variant?: string };
}

/** Blobs and layers a pull verified in its staging directory, to be moved into the store. */
export interface StagedImage {
  /** digest → file in the staging directory. */
  blobs: Map<string, string>;
  /** diffID → directory in the staging directory. */
  layers: Map<string, string>;
}

export interface RemoveOptions {
  /** Remove even an image containers use, or one named in several repositories by its id. */
  force?: boolean;
  /** By id, remove an image named in several repositories without `force` (`rmi -a` removes everything anyway). */
  allRepositories?: boolean;
  /** Names of containers using an image (the runtime side provides it). */
  usedBy?: (imageId: string) => string[];
}

export interface RemoveResult {
  untagged: string[];
  deleted: string[];
}

const HEX_PREFIX = /^(?:sha256:)?([0-9a-f]{3,64})$/;

function hexOf(digest: string): string {
  const hex = digest.replace(/^sha256:/, '');
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new RootlessError(`not a sha256 digest: ${digest}`);
  return hex;
}

/** The canonical name `text` stands for, or undefined for text that cannot be a name (an id, say). */
function nameOrUndefined(text: string): string | undefined {
  try {
    return canonicalReference(text);
  } catch {
    return undefined;
  }
}

function repositoryOf(name: string): string {
  return repositoryName(parseReference(name));
}

function notFound(text: string): RootlessError {
  return new RootlessError(`image not known: ${text}`, { remedy: '`rootless images` lists the images; `rootless pull IMAGE` fetches one' });
}

export class ImageStore {
  readonly blobsDir: string;
  readonly layersDir: string;
  readonly tmpDir: string;
  private readonly recordsFile: string;
  private readonly lockFile: string;

  constructor(readonly dir: string) {
    this.blobsDir = path.join(dir, 'blobs', 'sha256');
    this.layersDir = path.join(dir, 'layers');
    this.tmpDir = path.join(dir, 'tmp');
    this.recordsFile = path.join(dir, 'images.json');
    this.lockFile = path.join(dir, 'lock');
  }

  blobPath(digest: string): string {
    return path.join(this.blobsDir, hexOf(digest));
  }

  layerPath(diffID: string): string {
    return path.join(this.layersDir, hexOf(diffID));
  }

  hasBlob(digest: string): boolean {
    return existsSync(this.blobPath(digest));
  }

  hasLayer(diffID: string): boolean {
    return existsSync(this.layerPath(diffID));
  }

  readBlob(digest: string): Promise<Buffer> {
    return fs.readFile(this.blobPath(digest));
  }

  /** The OCI image config of an image. */
  async readImageConfig(record: ImageRecord): Promise<Record<string, unknown>> {
    return JSON.parse((await this.readBlob(record.id)).toString('utf8')) as Record<string, unknown>;
  }

  /** Runs `action` holding the store lock; dead processes' tmp/ entries are removed first. */
  async withLock<T>(action: () => Promise<T>): Promise<T> {
    const handle = await acquireFileLock(this.lockFile);
    try {
      await removeStaleTempDirs(this.tmpDir);
      return await action();
    } finally {
      await handle.close();
    }
  }

  /** A staging directory for a pull; it survives until released or until its process dies. */
  createTempDir(prefix: string): Promise<TempDir> {
    return this.withLock(() => createTempDir(this.tmpDir, prefix));
  }

  async listImages(): Promise<ImageRecord[]> {
    try {
      const data = JSON.parse(await fs.readFile(this.recordsFile, 'utf8')) as { images?: ImageRecord[] };
      return data.images ?? [];
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return [];
      throw new RootlessError(`the image list ${this.recordsFile} is unreadable: ${(error as Error).message}`, {
        remedy: 'Move it away; the images must then be pulled again',
        cause: error,
      });
    }
  }

  /** Call with the lock held. */
  private async writeImages(images: ImageRecord[]): Promise<void> {
    const temp = `${this.recordsFile}.tmp`;
    const handle = await fs.open(temp, 'w');
    try {
      await handle.writeFile(JSON.stringify({ images }, null, 1) + '\n');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, this.recordsFile);
  }

  /** By name (short names too), `name@sha256:…`, id, digest or an id prefix of at least 3 hex digits. */
  async findImage(text: string, images?: ImageRecord[]): Promise<ImageRecord | undefined> {
    const all = images ?? (await this.listImages());
    const byDigest = all.find((image) => image.id === text || image.digests.includes(text));
    if (byDigest) return byDigest;
    const name = nameOrUndefined(text);
    if (name) {
      const { digest } = parseReference(name);
      const repository = repositoryOf(name);
      const byName = all.find((image) =>
        digest
          ? image.digests.includes(digest) && image.names.some((n) => repositoryOf(n) === repository)
          : image.names.includes(name),
      );
      if (byName) return byName;
    }
    const prefix = HEX_PREFIX.exec(text)?.[1];
    if (!prefix) return undefined;
    const matches = all.filter((image) => image.id.slice('sha256:'.length).startsWith(prefix));
    if (matches.length > 1) {
      throw new RootlessError(`the id prefix ${prefix} is ambiguous: ${matches.map((m) => m.id.slice(7, 19)).join(', ')}`, {
        remedy: 'Give more digits of the id',
      });
    }
    return matches[0];
  }

  /** Like findImage, but a missing image is an error. */
  async getImage(text: string, images?: ImageRecord[]): Promise<ImageRecord> {
    const image = await this.findImage(text, images);
    if (!image) throw notFound(text);
    return image;
  }

  /**
   * Moves a pull's verified blobs and layers into place and records the image, in one locked step.
   * A blob or layer already present (another pull got there first) stays as it is.
   */
  commitImage(staged: StagedImage, record: ImageRecord): Promise<ImageRecord> {
    return this.withLock(async () => {
      for (const [digest, file] of staged.blobs) if (!this.hasBlob(digest)) await fs.rename(file, this.blobPath(digest));
      for (const [diffID, dir] of staged.layers) if (!this.hasLayer(diffID)) await fs.rename(dir, this.layerPath(diffID));
      const missing = record.layers.find((diffID) => !this.hasLayer(diffID)) ?? (this.hasBlob(record.id) ? undefined : record.id);
      if (missing) {
        throw new RootlessError(`${missing} disappeared from the store during the pull (removed by another command)`, {
          remedy: 'Pull again',
        });
      }
      const images = await this.listImages();
      const stored = addRecord(images, record);
      await this.writeImages(images);
      return stored;
    });
  }

  /** Gives the image `source` the name `target` (taking it from any other image). */
  tag(source: string, target: string): Promise<ImageRecord> {
    const name = canonicalReference(target);
    if (parseReference(name).digest) {
      throw new RootlessError(`cannot tag with a digest: ${target}`, { remedy: 'Give a NAME[:TAG] as the new name' });
    }
    return this.withLock(async () => {
      const images = await this.listImages();
      const image = await this.getImage(source, images);
      const stored = addRecord(images, { ...image, names: [name] });
      await this.writeImages(images);
      return stored;
    });
  }

  /**
   * By name: removes that name, and the image once no names remain. By id or digest: removes the
   * image with all its names, which needs `force` when they are in more than one repository
   * (Docker's rule: an id is ambiguous then). Then removes the blobs and layers no image needs any more.
   */
  removeImage(text: string, options: RemoveOptions = {}): Promise<RemoveResult> {
    return this.withLock(async () => {
      const images = await this.listImages();
      const image = await this.getImage(text, images);
      const name = nameOrUndefined(text);
      const byName = name !== undefined && image.names.includes(name);
      const repositories = new Set(image.names.map(repositoryOf));
      if (!byName && repositories.size > 1 && !options.force && !options.allRepositories) {
        throw new RootlessError(`unable to delete ${text} (must be forced): the image is referenced in ${repositories.size} repositories`, {
          remedy: `Remove its names one by one (\`rootless rmi NAME\`), or all at once with \`rootless rmi -f ${text}\``,
        });
      }
      const untagged = byName ? [name] : [...image.names];
      image.names = image.names.filter((n) => !untagged.includes(n));
      const deleted: string[] = [];
      if (image.names.length === 0) {
        const users = options.usedBy?.(image.id) ?? [];
        if (users.length > 0 && !options.force) {
          throw new RootlessError(`image ${text} is used by the container(s) ${users.join(', ')}`, {
            remedy: 'Remove the containers first (`rootless rm`), or force it with `rmi -f`',
          });
        }
        images.splice(images.indexOf(image), 1);
        deleted.push(image.id);
      }
      await this.writeImages(images);
      await this.collectGarbage(images);
      return { untagged, deleted };
    });
  }

  /** Removes dangling images (no names) or, with `all`, every image no container uses; then garbage. */
  prune(options: { all?: boolean; usedBy?: (imageId: string) => string[] } = {}): Promise<string[]> {
    return this.withLock(async () => {
      const images = await this.listImages();
      const doomed = images.filter((image) => (options.all || image.names.length === 0) && (options.usedBy?.(image.id) ?? []).length === 0);
      const kept = images.filter((image) => !doomed.includes(image));
      if (doomed.length > 0) await this.writeImages(kept);
      await this.collectGarbage(kept);
      return doomed.map((image) => image.id);
    });
  }

  /** Removes blobs and layers that no record refers to. Call with the lock held. */
  private async collectGarbage(images: ImageRecord[]): Promise<void> {
    const blobs = new Set<string>();
    const layers = new Set<string>();
    for (const image of images) {
      for (const digest of [image.id, ...image.digests]) {
        blobs.add(hexOf(digest));
        for (const layer of await this.manifestLayers(digest)) blobs.add(hexOf(layer));
      }
      for (const diffID of image.layers) layers.add(hexOf(diffID));
    }
    for (const name of await fs.readdir(this.blobsDir)) if (!blobs.has(name)) await fs.rm(path.join(this.blobsDir, name), { force: true });
    const unusedLayers = (await fs.readdir(this.layersDir)).filter((name) => !layers.has(name));
    await removeAsNamespaceRoot(unusedLayers.map((name) => path.join(this.layersDir, name)));
  }

  /** The layer blobs an image manifest names (none for an index). */
  private async manifestLayers(manifest: string): Promise<string[]> {
    try {
      const parsed = JSON.parse((await this.readBlob(manifest)).toString('utf8')) as { layers?: Array<{ digest?: unknown }> };
      return (parsed.layers ?? []).map((layer) => layer.digest).filter((digest): digest is string => typeof digest === 'string');
    } catch {
      return [];
    }
  }
}

/** Adds or merges `record` into `images` (same id → one record); its names leave other records. */
function addRecord(images: ImageRecord[], record: ImageRecord): ImageRecord {
  for (const image of images) image.names = image.names.filter((name) => !record.names.includes(name));
  const existing = images.find((image) => image.id === record.id);
  if (!existing) {
    images.push(record);
    return record;
  }
  Object.assign(existing, record, {
    names: [...existing.names, ...record.names],
    digests: [...new Set([...existing.digests, ...record.digests])],
  });
  return existing;
}

/** Opens (creating its directories) the store at `dir`, by default the user's. */
export async function openStore(dir: string = storeDir()): Promise<ImageStore> {
  const store = new ImageStore(dir);
  // the store dir only traversable: root's containers mount their upper dirs (containers/<id>) as
  // the container's root, an id of its range; layers/ and tmp/ are private (real root's layers
  // keep their setuid-root programs, reached by containers only through ID-mapped mounts)
  await fs.mkdir(path.dirname(dir), { recursive: true });
  await fs.mkdir(dir, { recursive: true, mode: 0o711 });
  for (const sub of [store.layersDir, store.tmpDir]) await fs.mkdir(sub, { recursive: true, mode: 0o700 });
  await fs.mkdir(store.blobsDir, { recursive: true, mode: 0o700 });
  return store;
}
