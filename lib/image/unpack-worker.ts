// The unpack worker: a separate Node process that runs as root of the user's user namespace
// (so the tar's owners land in the subordinate range) and on the second core. stdin is the
// COMPRESSED layer; it decompresses, hashes the tar (the diff_id), unpacks into argv[2], and
// reports `{type: 'done', diffID, notes}` or `{type: 'error', message, remedy}` on fd 3.
// Usage: node unpack-worker.js TARGET-DIR gzip|zstd|none
import { createHash } from 'node:crypto';
import { PassThrough, Transform } from 'node:stream';
import { finished } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';
import { sendSync } from '../runtime/channel.js';
import { unpackLayer } from './unpack.js';
import { mark } from '../timing.js';

mark('node started', performance.timeOrigin);
mark('modules loaded');

function zstdDecompressor(): Transform {
  const output = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      try {
        decoder.push(chunk);
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
    flush(callback) {
      try {
        decoder.push(new Uint8Array(0), true);
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
  });
  const decoder = new Decompress((data) => output.push(Buffer.from(data)));
  return output;
}

function decompressor(compression: string): Transform {
  // large output chunks: each one is a round trip to the thread pool (the default 16 KiB made
  // decompression the slowest step of a big layer)
  if (compression === 'gzip') return createGunzip({ chunkSize: 256 * 1024 });
  if (compression === 'zstd') return zstdDecompressor();
  return new PassThrough();
}

async function run(target: string, compression: string): Promise<void> {
  const hash = createHash('sha256');
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  const decompress = decompressor(compression);
  decompress.on('error', (error) => hashing.destroy(new Error(`cannot decompress the ${compression} layer: ${error.message}`)));
  process.stdin.pipe(decompress).pipe(hashing);
  const { notes } = await unpackLayer(hashing, target);
  // the tar ends before its padding does: the diff_id covers every byte
  hashing.resume();
  await finished(hashing);
  mark('unpacked');
  sendSync({ type: 'done', diffID: `sha256:${hash.digest('hex')}`, notes });
}

const [target, compression] = process.argv.slice(2);
try {
  await run(target!, compression ?? 'none');
  process.exit(0);
} catch (error) {
  const { message, remedy } = error as { message: string; remedy?: string };
  sendSync({ type: 'error', message: remedy ? message : `cannot unpack: ${message}`, remedy });
  process.exit(1);
}
