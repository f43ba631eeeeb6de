// Layer tarballs for the test images, built with tar-stream so that names, owners and modes are
// exactly what a test expects (and so that the malicious entries `tar` refuses can be written).
import { createHash } from 'node:crypto';
import { gzipSync, gunzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import tarStream from 'tar-stream';

export interface TarEntry {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device';
  content?: string | Buffer;
  linkname?: string;
  mode?: number;
  uid?: number;
  gid?: number;
}

/** A fixed time for every entry, so that the same entries always give the same digest. */
const MTIME = new Date('2024-09-06T12:00:00Z');

export async function buildTar(entries: TarEntry[]): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    pack.on('data', (chunk) => chunks.push(chunk as Buffer));
    pack.on('end', () => resolve(Buffer.concat(chunks)));
    pack.on('error', reject);
  });
  for (const entry of entries) {
    const type = entry.type ?? 'file';
    const content = entry.content === undefined ? undefined : Buffer.from(entry.content);
    const header = {
      name: entry.name,
      type,
      mode: entry.mode ?? (type === 'directory' ? 0o755 : 0o644),
      uid: entry.uid ?? 0,
      gid: entry.gid ?? 0,
      mtime: MTIME,
      linkname: entry.linkname,
      size: type === 'file' ? (content?.length ?? 0) : 0,
    };
    await new Promise<void>((resolve, reject) => {
      const callback = (error?: Error | null) => (error ? reject(error) : resolve());
      if (type === 'file') pack.entry(header, content ?? Buffer.alloc(0), callback);
      else pack.entry(header, callback);
    });
  }
  pack.finalize();
  return done;
}

export function sha256(data: Buffer): string {
  return 'sha256:' + createHash('sha256').update(data).digest('hex');
}

export function gzip(tar: Buffer): Buffer {
  return gzipSync(tar, { level: 6 });
}

export function gunzip(blob: Buffer): Buffer {
  return gunzipSync(blob);
}

export function zstd(tar: Buffer): Buffer {
  return execFileSync('zstd', ['-q', '-c', '-3'], { input: tar, maxBuffer: 1 << 30 });
}

const BASE_DIRS = ['bin', 'sbin', 'usr', 'usr/bin', 'usr/sbin', 'etc', 'etc/apk', 'root', 'home', 'dev', 'proc', 'sys', 'var', 'run'];

/**
 * A rootfs from busybox-static, for machines without the Alpine fixture: the binary, a symlink
 * per applet, and the few /etc files the tests look at. Architecture is only a label here
 * (etc/apk/arch), as there is one busybox binary on the host.
 */
export async function busyboxRootfs(alpineArch: string): Promise<Buffer> {
  const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((file) => existsSync(file));
  if (!busybox) throw new Error('no busybox binary: install busybox-static (scripts/setup-host.sh does)');
  const applets = execFileSync(busybox, ['--list-full'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  const entries: TarEntry[] = BASE_DIRS.map((name) => ({ name: name + '/', type: 'directory' as const }));
  entries.push({ name: 'tmp/', type: 'directory', mode: 0o1777 });
  entries.push({ name: 'bin/busybox', content: readFileSync(realpathSync(busybox)), mode: 0o755 });
  for (const applet of applets) {
    if (applet === 'bin/busybox') continue;
    entries.push({ name: applet, type: 'symlink', linkname: '/bin/busybox' });
  }
  entries.push(
    { name: 'etc/passwd', content: 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/sbin/nologin\n' },
    { name: 'etc/group', content: 'root:x:0:root\nshadow:x:42:\nnobody:x:65534:\n' },
    { name: 'etc/shadow', content: 'root:*::0:::::\n', mode: 0o640, gid: 42 },
    { name: 'etc/motd', content: 'busybox test rootfs\n' },
    { name: 'etc/busybox-rootfs', content: 'rootless e2e\n' },
    { name: 'etc/apk/arch', content: alpineArch + '\n' },
    { name: 'etc/apk/world', content: 'busybox\n' },
  );
  return buildTar(entries);
}
