// The one place `rootless run` touches the image store: it finds an image record and names its
// layer directories and config, following the store layout of docs/ARCHITECTURE.md
// (images.json, blobs/sha256/<hex>, layers/<diffid-hex>). The integrator switches the body to
// lib/image/store.ts (openStore/findImage/layerPath/readImageConfig) and lib/image/pull.ts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RootlessError, errnoCode } from '../errors.js';
import { storeDir } from '../paths.js';
import type { OCIImageConfig } from './oci.js';
import type { PullPolicy } from './run-options.js';

export interface ImageSource {
  /** Unpacked layer directories, base first. */
  layers: string[];
  config: OCIImageConfig;
}

interface ImageRecord {
  id: string;
  digest: string;
  names: string[];
  layers: string[];
}

/** Docker's short names: `alpine` → `docker.io/library/alpine:latest`. */
function normalizeReference(reference: string): string {
  const slash = reference.indexOf('/');
  const first = slash < 0 ? '' : reference.slice(0, slash);
  const hasRegistry = first.includes('.') || first.includes(':') || first === 'localhost';
  let name = hasRegistry ? reference : `docker.io/${slash < 0 ? 'library/' : ''}${reference}`;
  const lastPart = name.slice(name.lastIndexOf('/') + 1);
  if (!lastPart.includes(':') && !name.includes('@')) name += ':latest';
  return name;
}

function hex(digest: string): string {
  return digest.replace(/^sha256:/, '');
}

function readRecords(store: string): ImageRecord[] {
  let text: string;
  try {
    text = readFileSync(path.join(store, 'images.json'), 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return [];
    throw new RootlessError(`cannot read the image list ${store}/images.json: ${(error as Error).message}`, { cause: error });
  }
  const parsed = JSON.parse(text) as ImageRecord[] | { images: ImageRecord[] };
  return Array.isArray(parsed) ? parsed : parsed.images;
}

function findImageRecord(records: ImageRecord[], reference: string): ImageRecord | undefined {
  const name = normalizeReference(reference);
  const byName = records.find((record) => record.names.includes(name) || record.names.includes(reference));
  if (byName) return byName;
  const wanted = hex(reference);
  if (/^[0-9a-f]{3,64}$/.test(wanted)) return records.find((record) => hex(record.id).startsWith(wanted));
  return records.find((record) => record.digest === reference);
}

function loadImage(store: string, record: ImageRecord): ImageSource {
  const config = JSON.parse(readFileSync(path.join(store, 'blobs', 'sha256', hex(record.id)), 'utf8')) as OCIImageConfig;
  return { layers: record.layers.map((diffID) => path.join(store, 'layers', hex(diffID))), config };
}

async function pullIntoStore(reference: string): Promise<void> {
  const pullModule = '../image/pull.js'; // not in this branch yet: resolved at run time
  let pull: { pullImage(reference: string, options: object): Promise<unknown> };
  try {
    pull = (await import(pullModule)) as typeof pull;
  } catch (error) {
    throw new RootlessError(`image ${reference} is not in the store and this build cannot pull`, {
      remedy: 'Put the image in the store first',
      cause: error,
    });
  }
  await pull.pullImage(reference, {});
}

/** Finds the image in the store, pulling it first as the policy says. */
export async function openImageSource(reference: string, policy: PullPolicy, store = storeDir()): Promise<ImageSource> {
  let record = policy === 'always' ? undefined : findImageRecord(readRecords(store), reference);
  if (!record && policy !== 'never') {
    await pullIntoStore(reference);
    record = findImageRecord(readRecords(store), reference);
  }
  if (!record) {
    throw new RootlessError(`image ${reference} is not in the store`, { remedy: `Pull it with rootless pull ${reference}, or drop --pull=never` });
  }
  return loadImage(store, record);
}
