// slirp4netns: a user-mode TCP/IP stack on a tap device in the container's namespace. It tells us
// it is ready on --ready-fd, exits when we close --exit-fd (also when the CLI dies, as the kernel
// closes our end), and takes port forwards as JSON on its API socket.
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { RootlessError } from '../errors.js';
import type { HostsEntry, NetworkDriver, RunningNetwork } from './driver.js';
import { generateResolvConf, readHostResolvConf } from './etc-files.js';
import { createStateDir, launchHelper, requireOwnNetworkNamespace } from './helper.js';
import { addressInCidr, type PortMapping, type Slirp4netnsMode } from './options.js';
import { requireHelper, requireTunDevice } from './preflight.js';

const READY_TIMEOUT_MS = 10_000;
const API_TIMEOUT_MS = 5_000;
const READY_FD = 3;
const EXIT_FD = 4;

/** Addresses slirp4netns gives out inside its network (10.0.2.0/24 by default). */
export function slirpAddresses(cidr: string): { gateway: string; dns: string; container: string } {
  return { gateway: addressInCidr(cidr, 2), dns: addressInCidr(cidr, 3), container: addressInCidr(cidr, 100) };
}

/** `detached`: no --exit-fd, which would end it with the CLI (the container's monitor ends it). */
export function slirpArguments(binary: string, pid: number, mode: Slirp4netnsMode, apiSocket: string, detached = false): string[] {
  const args = [binary, '--configure', `--mtu=${mode.mtu}`, `--cidr=${mode.cidr}`, `--ready-fd=${READY_FD}`];
  if (!detached) args.push(`--exit-fd=${EXIT_FD}`);
  if (!mode.allowHostLoopback) args.push('--disable-host-loopback');
  if (mode.enableIPv6) args.push('--enable-ipv6');
  if (mode.outboundAddr) args.push(`--outbound-addr=${mode.outboundAddr}`);
  if (mode.outboundAddr6) args.push(`--outbound-addr6=${mode.outboundAddr6}`);
  args.push('--enable-sandbox', '--enable-seccomp', '--api-socket', apiSocket, String(pid), 'tap0');
  return args;
}

/** One request on the API socket: slirp4netns answers with one JSON object and closes. */
function apiRequest(socketPath: string, request: object): Promise<{ return?: unknown; error?: { desc?: string } }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    let reply = '';
    const timer = setTimeout(() => socket.destroy(new Error(`no answer within ${API_TIMEOUT_MS / 1000} s`)), API_TIMEOUT_MS);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.end(JSON.stringify(request)));
    socket.on('data', (chunk: string) => (reply += chunk));
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(reply));
      } catch {
        reject(new Error(`unreadable answer "${reply}"`));
      }
    });
  });
}

async function addPortForward(socketPath: string, guestAddress: string, port: PortMapping): Promise<void> {
  const request = {
    execute: 'add_hostfwd',
    arguments: { proto: port.protocol, host_addr: port.hostIP, host_port: port.hostPort, guest_addr: guestAddress, guest_port: port.containerPort },
  };
  const where = `${port.hostIP}:${port.hostPort}/${port.protocol}`;
  let answer;
  try {
    answer = await apiRequest(socketPath, request);
  } catch (error) {
    throw new RootlessError(`slirp4netns did not forward host port ${where}: ${(error as Error).message}`, { cause: error });
  }
  if (answer.error) {
    throw new RootlessError(`slirp4netns cannot forward host port ${where}: ${answer.error.desc ?? JSON.stringify(answer.error)}`, {
      remedy: `Check that the port is free (ss -lntup 'sport = :${port.hostPort}') or publish on another one`,
    });
  }
}

/** slirp4netns 1.2's add_hostfwd takes IPv4 host addresses only ("bad arguments.host_addr" otherwise). */
function requireIPv4Hosts(ports: PortMapping[]): void {
  const ipv6 = ports.find((port) => net.isIPv6(port.hostIP));
  if (ipv6) {
    throw new RootlessError(`slirp4netns cannot publish on the IPv6 address ${ipv6.hostIP}`, {
      remedy: `Publish on an IPv4 address (-p 127.0.0.1:${ipv6.hostPort}:${ipv6.containerPort}) or use --network pasta`,
    });
  }
}

/** The host's first non-loopback IPv4 address: reachable from inside through slirp4netns's NAT. */
function hostAddress(): string | undefined {
  return Object.values(os.networkInterfaces())
    .flat()
    .find((info) => info && info.family === 'IPv4' && !info.internal)?.address;
}

function hostsEntries(mode: Slirp4netnsMode, gateway: string): HostsEntry[] {
  const address = mode.allowHostLoopback ? gateway : hostAddress();
  return address ? [{ address, names: ['host.containers.internal', 'host.docker.internal'] }] : [];
}

export const slirp4netnsDriver: NetworkDriver<Slirp4netnsMode> = {
  name: 'slirp4netns',
  async start(pid, mode, ports, detached): Promise<RunningNetwork> {
    const binary = requireHelper('slirp4netns');
    requireIPv4Hosts(ports);
    requireTunDevice();
    requireOwnNetworkNamespace(pid);
    const stateDir = createStateDir('slirp4netns');
    const apiSocket = path.join(stateDir, 'api.sock');
    const addresses = slirpAddresses(mode.cidr);
    const helper = await launchHelper({
      name: 'slirp4netns',
      argv: slirpArguments(binary, pid, mode, apiSocket, detached),
      stateDir,
      detached,
      extraFds: 2,
      targetPid: pid,
      ready: (started) => new Promise<void>((resolve) => started.fd(READY_FD).once('data', () => resolve())),
      timeoutMs: READY_TIMEOUT_MS,
      configure: async () => {
        for (const port of ports) await addPortForward(apiSocket, addresses.container, port);
      },
    });
    return {
      driver: 'slirp4netns',
      resolvConf: generateResolvConf([addresses.dns], readHostResolvConf()),
      hostsEntries: hostsEntries(mode, addresses.gateway),
      containerAddress: addresses.container,
      ports,
      helperPid: helper.pid,
      helperStateDir: stateDir,
      stop: () => helper.stop(),
    };
  },
};
