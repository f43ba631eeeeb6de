// The one place `rootless run` touches the image side: the image's layer directories and config,
// pulled first when the pull policy says so.
import { RootlessError } from '../errors.js';
import { ImageStore, openStore } from '../image/store.js';
import { storeDir } from '../paths.js';
import type { OCIImageConfig } from './oci.js';
import type { PullPolicy } from './run-options.js';

export interface ImageSource {
  /** Unpacked layer directories, base first. */
  layers: string[];
  config: OCIImageConfig;
}

/** Finds the image in the store, pulling it first as the policy says. */
export async function openImageSource(reference: string, policy: PullPolicy, dir = storeDir()): Promise<ImageSource> {
  const store = new ImageStore(dir);
  let record = policy === 'always' ? undefined : await store.findImage(reference);
  if (!record && policy !== 'never') {
    const { pullImage } = await import('../image/pull.js');
    record = await pullImage(reference, { store: await openStore(dir) });
  }
  if (!record) {
    throw new RootlessError(`image ${reference} is not in the store`, {
      remedy: `Pull it with \`rootless pull ${reference}\`, or drop --pull=never`,
    });
  }
  if (process.getuid?.() === 0) await (await import('../image/layer-format.js')).requireHostIdLayers(dir);
  const config = (await store.readImageConfig(record)) as OCIImageConfig;
  // overlayfs refuses a lower dir given twice (ELOOP); the topmost copy of a repeated layer covers
  // everything its lower copies would show
  const layers = record.layers.filter((diffID, index) => record.layers.lastIndexOf(diffID) === index);
  return { layers: layers.map((diffID) => store.layerPath(diffID)), config };
}
