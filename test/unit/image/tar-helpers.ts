// Builds layer tars in memory for the unpack tests.
import tar from 'tar-stream';

export type TarEntry = { name: string; type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'fifo'; body?: string | Buffer } & Record<string, unknown>;

export async function tarBuffer(entries: TarEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (chunk) => chunks.push(chunk as Buffer));
  const ended = new Promise<void>((resolve) => pack.on('end', () => resolve()));
  for (const { body, ...header } of entries) pack.entry({ mode: 0o644, mtime: new Date('2020-01-02T03:04:05Z'), ...header } as tar.Header, body ?? '');
  pack.finalize();
  await ended;
  return Buffer.concat(chunks);
}
