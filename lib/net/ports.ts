// Host-side checks of published ports, done before the container starts so that a bad port is one
// clear line instead of a helper failing later: ports below ip_unprivileged_port_start, ports some
// other program holds (probed by binding them for a moment), and free ports for `-p 80` and `-P`.
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { RootlessError, errnoCode } from '../errors.js';
import { ALL_ADDRESSES, type PortMapping, type Protocol, type PublishRequest } from './options.js';

const UNPRIVILEGED_PORT_START = '/proc/sys/net/ipv4/ip_unprivileged_port_start';
const RANDOM_PORT_ATTEMPTS = 100;

export interface PortCheckOptions {
  /** Whether the user may bind any port (root); default: uid 0. */
  privileged?: boolean;
  /** Default: read from /proc/sys/net/ipv4/ip_unprivileged_port_start (1024 if unreadable). */
  unprivilegedPortStart?: number;
}

export function readUnprivilegedPortStart(): number {
  try {
    return Number(readFileSync(UNPRIVILEGED_PORT_START, 'utf8').trim());
  } catch {
    return 1024;
  }
}

function describe(mapping: { hostIP: string; hostPort?: number; protocol: Protocol }): string {
  const address = mapping.hostIP.includes(':') ? `[${mapping.hostIP}]` : mapping.hostIP;
  return `${address}:${mapping.hostPort ?? '*'}/${mapping.protocol}`;
}

/** Binds hostIP:port for a moment; resolves with the port bound (the kernel's choice for port 0). */
function bindBriefly(hostIP: string, port: number, protocol: Protocol): Promise<number> {
  return new Promise((resolve, reject) => {
    if (protocol === 'udp') {
      const socket = dgram.createSocket(net.isIPv6(hostIP) ? 'udp6' : 'udp4');
      socket.once('error', (error) => {
        socket.close();
        reject(error);
      });
      socket.bind({ address: hostIP, port, exclusive: true }, () => {
        const bound = socket.address().port;
        socket.close(() => resolve(bound));
      });
      return;
    }
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ host: hostIP, port, exclusive: true }, () => {
      const bound = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(bound));
    });
  });
}

async function probe(mapping: PublishRequest, port: number): Promise<number> {
  try {
    return await bindBriefly(mapping.hostIP, port, mapping.protocol);
  } catch (error) {
    const where = describe({ ...mapping, hostPort: port || undefined });
    switch (errnoCode(error)) {
      case 'EADDRINUSE':
        throw new RootlessError(`host port ${where} is already in use`, {
          remedy: `Publish on another host port (-p OTHER:${mapping.containerPort}), leave the host port out for a free one, or stop the program that holds it (ss -lntup 'sport = :${port}')`,
          cause: error,
        });
      case 'EADDRNOTAVAIL':
        throw new RootlessError(`cannot publish on ${where}: ${mapping.hostIP} is not an address of this host`, {
          remedy: 'Use one of the host\'s addresses (see `ip addr`), 127.0.0.1, or leave the address out for all of them',
          cause: error,
        });
      default:
        throw new RootlessError(`cannot bind host port ${where}: ${(error as Error).message}`, { cause: error });
    }
  }
}

function overlaps(a: PortMapping, b: PortMapping): boolean {
  const sameAddress = a.hostIP === b.hostIP || a.hostIP === ALL_ADDRESSES || b.hostIP === ALL_ADDRESSES;
  return a.protocol === b.protocol && a.hostPort === b.hostPort && sameAddress;
}

function checkLowPorts(requests: PublishRequest[], options: PortCheckOptions): void {
  if (options.privileged ?? process.getuid?.() === 0) return;
  const start = options.unprivilegedPortStart ?? readUnprivilegedPortStart();
  const low = requests.find((request) => request.hostPort !== undefined && request.hostPort < start);
  if (!low) return;
  throw new RootlessError(
    `host port ${low.hostPort} is below net.ipv4.ip_unprivileged_port_start (${start}), so an unprivileged user cannot listen on it`,
    {
      remedy: `Publish on a host port >= ${start} (e.g. -p ${low.hostPort! + 8000}:${low.containerPort}), or allow low ports: sudo sysctl net.ipv4.ip_unprivileged_port_start=${low.hostPort}`,
    },
  );
}

/**
 * Turns requests into mappings: checks the low-port rule, that no two requests collide, that
 * each fixed host port is free now, and picks free host ports where none was given.
 */
export async function reservePorts(requests: PublishRequest[], options: PortCheckOptions = {}): Promise<PortMapping[]> {
  checkLowPorts(requests, options);
  const mappings: PortMapping[] = [];
  for (const request of requests.filter((r) => r.hostPort !== undefined)) {
    const mapping = { ...request, hostPort: request.hostPort! };
    const clash = mappings.find((other) => overlaps(other, mapping));
    if (clash) {
      throw new RootlessError(`host port ${describe(mapping)} is published twice (for container ports ${clash.containerPort} and ${mapping.containerPort})`, {
        remedy: 'Give each -p its own host port',
      });
    }
    await probe(request, mapping.hostPort);
    mappings.push(mapping);
  }
  for (const request of requests.filter((r) => r.hostPort === undefined)) {
    mappings.push(await pickFreePort(request, mappings));
  }
  return mappings;
}

async function pickFreePort(request: PublishRequest, taken: PortMapping[]): Promise<PortMapping> {
  for (let attempt = 0; attempt < RANDOM_PORT_ATTEMPTS; attempt++) {
    const mapping = { ...request, hostPort: await probe(request, 0) };
    if (!taken.some((other) => overlaps(other, mapping))) return mapping;
  }
  throw new RootlessError(`found no free host port for container port ${request.containerPort}/${request.protocol}`, {
    remedy: 'Give a host port explicitly: -p HOSTPORT:CONTAINERPORT',
  });
}
