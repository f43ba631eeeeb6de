// Test fixtures for the network drivers: a process holding fresh user and network namespaces
// (as stage 1 of `rootless run` does), commands run inside them through nsenter, a node probe
// inside (network-probe.js), and small host-side clients that only talk to 127.0.0.1.
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { readFileSync, readlinkSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const PROBE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'network-probe.js');

/** Our environment without uvu's FORCE_COLOR, which makes child nodes warn about NO_COLOR. */
export function childEnv(): NodeJS.ProcessEnv {
  const { FORCE_COLOR: _color, ...env } = process.env;
  return env;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every 50 ms for at most `ms`; returns its last answer. */
export async function eventually(condition: () => boolean, ms = 5000): Promise<boolean> {
  for (let waited = 0; waited < ms; waited += 50) {
    if (condition()) return true;
    await sleep(50);
  }
  return condition();
}

/** Alive and not a zombie. */
export function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}

export interface Holder {
  pid: number;
  /** Runs argv inside the namespaces; resolves with its output (never rejects on exit status). */
  run(argv: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  /** Starts the probe server inside (on 0.0.0.0 unless told); resolves once it listens. */
  serve(httpPort: number, udpPort: number, marker: string, address?: string): Promise<ChildProcess>;
  /** TCP connect from inside; the probe's output. */
  connect(host: string, port: number): Promise<string>;
  kill(): Promise<void>;
}

const nsenterArgs = (pid: number) => ['--target', String(pid), '--user', '--net', '--preserve-credentials'];

/** `unshare --user --map-root-user --net --fork --kill-child sleep`: the unshare process is in the new namespaces. */
export async function holdNetworkNamespace(): Promise<Holder> {
  const child = spawn('unshare', ['--user', '--map-root-user', '--net', '--fork', '--kill-child', 'sleep', '300'], { stdio: 'ignore' });
  const pid = child.pid!;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const own = readlinkSync('/proc/self/ns/net');
  const ready = await eventually(() => {
    try {
      return readlinkSync(`/proc/${pid}/ns/net`) !== own && readFileSync(`/proc/${pid}/uid_map`, 'utf8').trim() !== '';
    } catch {
      return false;
    }
  });
  const children: ChildProcess[] = [];
  const holder: Holder = {
    pid,
    async run(argv) {
      const result = await execa('nsenter', [...nsenterArgs(pid), ...argv], { reject: false, stdin: 'ignore', timeout: 20_000, env: childEnv(), extendEnv: false });
      return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
    },
    async serve(httpPort, udpPort, marker, address = '0.0.0.0') {
      const server = spawn('nsenter', [...nsenterArgs(pid), process.execPath, PROBE, 'server', String(httpPort), String(udpPort), marker, address], {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: childEnv(),
      });
      children.push(server);
      await new Promise<void>((resolve, reject) => {
        server.stdout!.once('data', () => resolve());
        server.once('exit', (code) => reject(new Error(`probe server exited with ${code}`)));
      });
      return server;
    },
    async connect(host, port) {
      return (await holder.run([process.execPath, PROBE, 'connect', host, String(port)])).stdout;
    },
    async kill() {
      for (const server of children) server.kill('SIGKILL');
      child.kill('SIGKILL');
      await exited;
    },
  };
  if (!ready) {
    await holder.kill();
    throw new Error('unshare did not create the namespaces');
  }
  return holder;
}

/** GET http://127.0.0.1:PORT/ → body. */
export function httpGet(port: number, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host, port, path: '/', timeout: 5000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve(body));
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', reject);
  });
}

/** One UDP datagram to 127.0.0.1:PORT and its answer (retried: UDP may drop the first). */
export async function udpExchange(port: number, message: string): Promise<string> {
  const socket = dgram.createSocket('udp4');
  try {
    const answer = new Promise<string>((resolve) => socket.once('message', (data) => resolve(String(data))));
    for (let attempt = 0; attempt < 10; attempt++) {
      socket.send(message, port, '127.0.0.1');
      const result = await Promise.race([answer, sleep(500).then(() => undefined)]);
      if (result !== undefined) return result;
    }
    throw new Error(`no UDP answer from 127.0.0.1:${port}`);
  } finally {
    socket.close();
  }
}
