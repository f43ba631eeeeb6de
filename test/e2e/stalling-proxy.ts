// A pass-through HTTP proxy in front of the real test registry that, while armed, sends half of
// one blob and then holds the response: a pull is then provably in the middle of a download,
// so a test can kill it there without guessing at timings.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StallingProxy {
  address: string;
  /** Resolves once a GET of `digest` has been answered with half of its bytes and is held. */
  stallOn(digest: string): Promise<void>;
  /** Lets every held response fail and later requests pass through untouched. */
  release(): void;
  close(): Promise<void>;
}

export async function startStallingProxy(upstream: string): Promise<StallingProxy> {
  let armed: { digest: string; stalled: () => void } | undefined;
  const held = new Set<http.ServerResponse>();
  const server = http.createServer((request, response) => {
    const forward = http.request(
      { host: upstream.split(':')[0], port: Number(upstream.split(':')[1]), method: request.method, path: request.url, headers: { ...request.headers, host: upstream } },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        const target = armed;
        if (!target || request.method !== 'GET' || !request.url?.endsWith(`/blobs/${target.digest}`)) {
          answer.pipe(response);
          return;
        }
        const half = Math.floor(Number(answer.headers['content-length'] ?? 0) / 2);
        let sent = 0;
        answer.on('data', (chunk: Buffer) => {
          if (sent >= half) return;
          const part = chunk.subarray(0, half - sent);
          sent += part.length;
          response.write(part);
          if (sent >= half) {
            answer.pause();
            held.add(response);
            target.stalled();
          }
        });
      },
    );
    forward.on('error', () => response.destroy());
    request.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const release = () => {
    armed = undefined;
    for (const response of held) response.destroy();
    held.clear();
  };
  return {
    address: `127.0.0.1:${port}`,
    stallOn(digest) {
      return new Promise((resolve) => (armed = { digest, stalled: resolve }));
    },
    release,
    close() {
      release();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
