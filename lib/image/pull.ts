// `rootless pull`: reference → manifest (an index picks the platform) → config → layers. Each
// layer streams once: HTTP → sha256 and size of the compressed bytes → tee to the blob's staging
// file and to the unpack worker (in the user namespace), which reports the diff_id. Only when the
// digest, the size and the diff_id all match does the store take the blob and the layer.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { RootlessError } from '../errors.js';
import { defaultUserNamespace, type UserNamespacePlan } from '../runtime/idmap.js';
import { hostPlatform, layerCompression, parseManifest, parsePlatform, selectPlatform, type Descriptor, type Platform } from './manifest.js';
import { createProgress } from './progress.js';
import { formatReference, parseReference, type ImageReference } from './reference.js';
import { RegistryClient } from './registry.js';
import { openStore, type ImageRecord, type ImageStore, type StagedImage } from './store.js';
import { startUnpack } from './unpack-runner.js';
import { mark } from '../timing.js';

export interface PullOptions {
  /** "os/arch[/variant]"; the host's platform by default. */
  platform?: string;
  quiet?: boolean;
  tlsVerify?: boolean;
  /** Where progress goes (stderr by default). */
  output?: Writable & { isTTY?: boolean };
  store?: ImageStore;
}

const PARALLEL_LAYERS = 3;
const CONFIG_SIZE_LIMIT = 8 * 1024 * 1024;

interface ImageConfig {
  created?: string;
  os?: string;
  architecture?: string;
  variant?: string;
  rootfs?: { diff_ids?: string[] };
}

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

const CORRUPT_REMEDY = 'The registry served corrupt data: retry, or check the registry';

function corrupt(what: string, name: string, got: string): RootlessError {
  return new RootlessError(`${what} of ${name}: ${got}`, { remedy: CORRUPT_REMEDY });
}

function layerCorrupt(detail: string): RootlessError {
  return new RootlessError(detail, { remedy: CORRUPT_REMEDY });
}

/** What the manifests and the config say: the record to store, the layers to get, the small blobs. */
interface ResolvedImage {
  record: ImageRecord;
  layers: Descriptor[];
  /** Manifests, index and config, verified. */
  blobs: Map<string, Buffer>;
}

/** Reference → manifest (an index picks the platform) → config; every digest verified. */
async function resolveImage(client: RegistryClient, ref: ImageReference, wanted: Platform): Promise<ResolvedImage> {
  const name = formatReference(ref);
  const top = await client.fetchManifest(ref.repository, ref.digest ?? ref.tag ?? 'latest');
  const topDigest = sha256(top.bytes);
  if (ref.digest && topDigest !== ref.digest) throw corrupt('the manifest', name, `digest mismatch (got ${topDigest})`);
  const blobs = new Map<string, Buffer>([[topDigest, top.bytes]]);
  let manifestDigest = topDigest;
  let parsed = parseManifest(top.bytes, top.mediaType);
  if (parsed.kind === 'index') {
    const chosen = selectPlatform(parsed.manifests, wanted);
    const fetched = await client.fetchManifest(ref.repository, chosen.digest);
    manifestDigest = sha256(fetched.bytes);
    if (manifestDigest !== chosen.digest) throw corrupt(`the manifest ${chosen.digest}`, name, `digest mismatch (got ${manifestDigest})`);
    blobs.set(manifestDigest, fetched.bytes);
    parsed = parseManifest(fetched.bytes, fetched.mediaType);
  }
  if (parsed.kind !== 'image') throw new RootlessError(`${name}: the index points to another index`, { remedy: 'Pull the platform manifest by digest' });

  const configBytes = await fetchConfig(client, ref.repository, parsed.config, name);
  blobs.set(parsed.config.digest, configBytes);
  const config = JSON.parse(configBytes.toString('utf8')) as ImageConfig;
  const diffIDs = config.rootfs?.diff_ids ?? [];
  if (diffIDs.length !== parsed.layers.length) {
    throw corrupt('the image config', name, `it lists ${diffIDs.length} layers, the manifest ${parsed.layers.length}`);
  }
  const record: ImageRecord = {
    id: parsed.config.digest,
    digest: topDigest,
    digests: [...new Set([topDigest, manifestDigest])],
    names: [name],
    layers: diffIDs,
    created: config.created,
    size: parsed.layers.reduce((sum, layer) => sum + layer.size, 0),
    platform: { os: config.os ?? wanted.os, architecture: config.architecture ?? wanted.architecture, variant: config.variant ?? wanted.variant },
  };
  return { record, layers: parsed.layers, blobs };
}

/** Pulls `reference` into the store and returns its record. */
export async function pullImage(reference: string, options: PullOptions = {}): Promise<ImageRecord> {
  const ref = parseReference(reference);
  const store = options.store ?? (await openStore());
  const client = RegistryClient.for(ref, { tlsVerify: options.tlsVerify });
  mark('pull');
  const { record, layers, blobs } = await resolveImage(client, ref, options.platform ? parsePlatform(options.platform) : hostPlatform());

  mark('manifest and config fetched');
  if (process.getuid?.() === 0) await (await import('./layer-format.js')).requireHostIdLayers(store.dir);
  const plan = defaultUserNamespace();
  if (plan.warning) process.stderr.write(`Warning: ${plan.warning}\n`);
  const output = options.output ?? process.stderr;
  const progress = createProgress(output, options.quiet);
  const notes: string[] = [];
  const staging = await store.createTempDir('pull');
  try {
    const staged: StagedImage = { blobs: new Map(), layers: new Map() };
    for (const [digest, bytes] of blobs) {
      const file = path.join(staging.path, `blob-${digest.slice(7)}`);
      await fs.writeFile(file, bytes);
      staged.blobs.set(digest, file);
    }
    // an image may list one blob twice (say, two empty layers): it is fetched and shown once
    const jobs = layers
      .map((layer, index) => ({ layer, diffID: record.layers[index]!, index }))
      .filter((job, index, all) => all.findIndex((other) => other.layer.digest === job.layer.digest) === index)
      .map((job) => ({ ...job, progress: progress.layer(job.layer.digest, job.layer.size) }));
    await runLimited(
      jobs.map((job) => async (signal: AbortSignal) => {
        if (store.hasLayer(job.diffID)) return job.progress.skip();
        const shared = { client, repository: ref.repository, name: record.names[0]!, staging: staging.path, staged, signal, plan };
        const layerNotes = await pullLayer({ ...shared, ...job });
        notes.push(...layerNotes.map((note) => `layer ${job.layer.digest.slice(7, 19)}: ${note}`));
        job.progress.done();
      }),
    );
    mark('layers unpacked');
    const committed = await store.commitImage(staged, record);
    mark('image committed');
    return committed;
  } finally {
    progress.finish();
    if (!options.quiet) output.write(notes.map((note) => `Note: ${note}\n`).join(''));
    await staging.release();
  }
}

async function fetchConfig(client: RegistryClient, repository: string, descriptor: Descriptor, name: string): Promise<Buffer> {
  if (descriptor.size > CONFIG_SIZE_LIMIT) throw corrupt('the image config', name, `it claims ${descriptor.size} bytes`);
  const { stream } = await client.fetchBlob(repository, descriptor.digest);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > descriptor.size) {
      stream.destroy();
      throw corrupt('the image config', name, `more than the ${descriptor.size} bytes the manifest gives`);
    }
    chunks.push(chunk as Buffer);
  }
  const bytes = Buffer.concat(chunks);
  const digest = sha256(bytes);
  if (digest !== descriptor.digest) throw corrupt(`the image config ${descriptor.digest}`, name, `digest mismatch (got ${digest})`);
  return bytes;
}

interface LayerJob {
  client: RegistryClient;
  repository: string;
  name: string;
  staging: string;
  staged: StagedImage;
  layer: Descriptor;
  diffID: string;
  index: number;
  progress: { advance(bytes: number): void };
  signal: AbortSignal;
  plan: UserNamespacePlan;
}

/** Downloads, verifies and unpacks one layer into the staging directory; returns the unpacker's notes. */
async function pullLayer(job: LayerJob): Promise<string[]> {
  const { layer, name } = job;
  const dir = path.join(job.staging, `layer-${job.index}`);
  const blobFile = path.join(job.staging, `layer-${job.index}.blob`);
  await fs.mkdir(dir);
  const compression = layerCompression(layer.mediaType);
  // the worker's user namespace is made while the registry answers
  const [fetched, started] = await Promise.allSettled([job.client.fetchBlob(job.repository, layer.digest), startUnpack(dir, compression, job.plan)]);
  if (fetched.status === 'rejected' || started.status === 'rejected') {
    if (fetched.status === 'fulfilled') fetched.value.stream.destroy();
    if (started.status === 'fulfilled') started.value.abort();
    throw fetched.status === 'rejected' ? fetched.reason : (started as PromiseRejectedResult).reason;
  }
  mark(`layer ${job.index}: worker started, registry answered`);
  const { stream } = fetched.value;
  const unpack = started.value;
  const hash = createHash('sha256');
  let size = 0;
  const verifier = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size > layer.size) return callback(layerCorrupt(`more than the ${layer.size} bytes the manifest gives`));
      hash.update(chunk);
      job.progress.advance(chunk.length);
      callback(null, chunk);
    },
    flush(callback) {
      const digest = `sha256:${hash.digest('hex')}`;
      if (size !== layer.size) return callback(layerCorrupt(`size mismatch (got ${size} bytes, expected ${layer.size})`));
      if (digest !== layer.digest) return callback(layerCorrupt(`digest mismatch (got ${digest})`));
      callback();
    },
  });
  const blobOut = createWriteStream(blobFile);
  verifier.pipe(blobOut);
  verifier.pipe(unpack.input);
  const stop = () => {
    stream.destroy();
    verifier.destroy();
    blobOut.destroy();
    unpack.abort();
  };
  job.signal.addEventListener('abort', stop, { once: true });
  if (job.signal.aborted) stop(); // another layer failed while this one was connecting
  try {
    // a worker that stops early (say, on corrupt gzip) must not hide a digest mismatch: the
    // download goes on to the end, so the registry's corruption is reported as what it is
    const unpacked = unpack.result.catch((error: unknown) => {
      verifier.unpipe(unpack.input);
      throw error;
    });
    unpacked.catch(() => undefined);
    await Promise.all([pipeline(stream, verifier), finished(blobOut)]);
    mark(`layer ${job.index}: downloaded`);
    const result = await unpacked;
    mark(`layer ${job.index}: unpacked`);
    if (result.diffID !== job.diffID) throw layerCorrupt(`its content is ${result.diffID}, the image config says ${job.diffID}`);
    job.staged.blobs.set(layer.digest, blobFile);
    job.staged.layers.set(job.diffID, dir);
    return result.notes;
  } catch (error) {
    stop();
    const remedy = error instanceof RootlessError ? error.remedy : 'Retry the pull';
    throw new RootlessError(`layer ${layer.digest} of ${name}: ${(error as Error).message}`, { remedy, cause: error });
  } finally {
    job.signal.removeEventListener('abort', stop);
  }
}

/** Runs tasks at most PARALLEL_LAYERS at a time; the first failure aborts the others and is thrown. */
async function runLimited(tasks: Array<(signal: AbortSignal) => Promise<void>>): Promise<void> {
  const controller = new AbortController();
  let next = 0;
  let failure: unknown;
  const lane = async () => {
    while (next < tasks.length && !controller.signal.aborted) {
      const task = tasks[next++]!;
      try {
        await task(controller.signal);
      } catch (error) {
        if (!controller.signal.aborted) {
          failure = error;
          controller.abort();
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_LAYERS, tasks.length) }, lane));
  if (failure !== undefined) throw failure;
}
