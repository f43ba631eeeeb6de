// What `images` and `image inspect` print: Docker's table, podman's JSON.
import { RootlessError } from '../errors.js';
import { formatAge, formatSize } from './format.js';
import { parseReference, repositoryName } from './reference.js';
import type { ImageRecord, ImageStore } from './store.js';

export interface ListOptions {
  quiet?: boolean;
  digests?: boolean;
  format?: string;
}

function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

function repoTags(image: ImageRecord): string[] {
  return image.names.filter((name) => !parseReference(name).digest);
}

function repoDigests(image: ImageRecord): string[] {
  const repositories = [...new Set(image.names.map((name) => repositoryName(parseReference(name))))];
  return repositories.flatMap((repository) => image.digests.map((digest) => `${repository}@${digest}`));
}

function createdSeconds(image: ImageRecord): number {
  const time = image.created ? Date.parse(image.created) : NaN;
  return Number.isNaN(time) ? 0 : Math.floor(time / 1000);
}

/** Columns padded to their widest cell, three spaces apart (Docker's tabwriter look). */
export function formatTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]! + 3))).join('').trimEnd()).join('\n') + '\n';
}

/** The text `rootless images` prints. */
export function listImages(images: ImageRecord[], options: ListOptions = {}): string {
  const sorted = [...images].sort((a, b) => createdSeconds(b) - createdSeconds(a));
  if (options.format !== undefined) {
    if (options.format !== 'json') throw new RootlessError(`unsupported --format ${options.format}`, { remedy: 'Use --format json' });
    const entries = sorted.map((image) => ({
      Id: image.id.replace(/^sha256:/, ''),
      Names: repoTags(image),
      Digest: image.digest,
      RepoDigests: repoDigests(image),
      Created: createdSeconds(image),
      CreatedAt: image.created ?? '',
      Size: image.size,
      Dangling: image.names.length === 0,
    }));
    return JSON.stringify(entries, null, 4) + '\n';
  }
  if (options.quiet) return [...new Set(sorted.map((image) => shortId(image.id)))].map((id) => `${id}\n`).join('');
  const header = ['REPOSITORY', 'TAG', ...(options.digests ? ['DIGEST'] : []), 'IMAGE ID', 'CREATED', 'SIZE'];
  const rows = sorted.flatMap((image) => {
    const names = image.names.length > 0 ? image.names : ['<none>'];
    return names.map((name) => {
      const ref = name === '<none>' ? undefined : parseReference(name);
      const created = image.created ? formatAge(new Date(image.created)) : 'N/A';
      return [ref ? repositoryName(ref) : '<none>', ref?.tag ?? '<none>', ...(options.digests ? [image.digest] : []), shortId(image.id), created, formatSize(image.size)];
    });
  });
  return formatTable([header, ...rows]);
}

/** `image inspect`: a JSON array like podman's. */
export async function inspectImages(store: ImageStore, references: string[]): Promise<string> {
  const entries = [];
  for (const reference of references) {
    const image = await store.getImage(reference);
    const config = await store.readImageConfig(image);
    entries.push({
      Id: image.id.replace(/^sha256:/, ''),
      Digest: image.digest,
      RepoTags: repoTags(image),
      RepoDigests: repoDigests(image),
      Created: image.created,
      Architecture: image.platform.architecture,
      Os: image.platform.os,
      ...(image.platform.variant ? { Variant: image.platform.variant } : {}),
      Config: config.config ?? {},
      RootFS: { Type: 'layers', Layers: image.layers },
      Size: image.size,
    });
  }
  return JSON.stringify(entries, null, 4) + '\n';
}
