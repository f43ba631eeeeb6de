// pasta (Debian's passt package): the container's namespace gets a tap interface with the host's
// own address, routes and MTU 65520; pasta translates to host sockets, so source addresses are
// kept. With -f it stays our child (setpriv --pdeathsig kills it with the CLI: it does not exit by
// itself when the namespace empties, tried). Readiness: this build writes its --pid file only
// after the interface is configured and forwarded ports are bound (checked: route and listener
// exist the moment the file has content).
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { HostsEntry, NetworkDriver, RunningNetwork } from './driver.js';
import { generateResolvConf, readHostResolvConf } from './etc-files.js';
import { createStateDir, launchHelper, pollUntil, requireOwnNetworkNamespace } from './helper.js';
import { ALL_ADDRESSES, type PastaMode, type PortMapping, type Protocol } from './options.js';
import { requireHelper, requireTunDevice } from './preflight.js';

const READY_TIMEOUT_MS = 10_000;
/** DNS queries sent here are forwarded by pasta to the host's first resolver (even a loopback one). */
export const PASTA_DNS_FORWARD = '169.254.1.1';

function hasOption(args: string[], ...names: string[]): boolean {
  return args.some((arg) => names.some((name) => arg === name || arg.startsWith(`${name}=`)));
}

/** The value of `--name VALUE` or `--name=VALUE` among pasta options the user passed. */
function optionValue(args: string[], ...names: string[]): string | undefined {
  for (const [index, arg] of args.entries()) {
    if (names.includes(arg)) return args[index + 1];
    const inline = names.find((name) => arg.startsWith(`${name}=`));
    if (inline) return arg.slice(inline.length + 1);
  }
  return undefined;
}

/** `-t [ADDR/]HOSTPORT:CONTAINERPORT` per port; no address means all of the host's. */
function forwardSpecs(ports: PortMapping[], protocol: Protocol): string[] {
  return ports
    .filter((port) => port.protocol === protocol)
    .flatMap((port) => {
      const address = port.hostIP === ALL_ADDRESSES ? '' : `${port.hostIP}/`;
      return [protocol === 'tcp' ? '-t' : '-u', `${address}${port.hostPort}:${port.containerPort}`];
    });
}

export function pastaArguments(binary: string, pid: number, mode: PastaMode, ports: PortMapping[], pidFile: string): string[] {
  const args = [binary, '--config-net', '-f', '-q', '--pid', pidFile];
  const user = mode.args;
  if (!hasOption(user, '-I', '--ns-ifname')) args.push('--ns-ifname', 'eth0');
  if (!mode.mapGateway && !hasOption(user, '--no-map-gw')) args.push('--no-map-gw');
  if (!hasOption(user, '--dns-forward')) args.push('--dns-forward', PASTA_DNS_FORWARD);
  // As root, pasta would drop to nobody, which may not open the namespaces of a root-owned process.
  if (process.getuid?.() === 0 && !hasOption(user, '--runas')) args.push('--runas', '0');
  const defaults: Array<[string, string, string[]]> = [
    ['-t', '--tcp-ports', forwardSpecs(ports, 'tcp')],
    ['-u', '--udp-ports', forwardSpecs(ports, 'udp')],
    ['-T', '--tcp-ns', []],
    ['-U', '--udp-ns', []],
  ];
  for (const [short, long, specs] of defaults) {
    if (specs.length > 0) args.push(...specs);
    else if (!hasOption(user, short, long)) args.push(short, 'none');
  }
  return [...args, ...user, String(pid)];
}

/** The IPv4 default gateway in /proc/PID/net/route (little-endian hex), if there is one. */
export function defaultGateway(routeTable: string): { interface: string; gateway: string } | undefined {
  for (const line of routeTable.split('\n').slice(1)) {
    const [name, destination, gateway] = line.trim().split(/\s+/);
    if (destination !== '00000000' || !gateway || !name) continue;
    const bytes = Buffer.from(gateway, 'hex');
    return { interface: name, gateway: [...bytes].reverse().join('.') };
  }
  return undefined;
}

function readRouteTable(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/net/route`, 'utf8');
  } catch {
    return '';
  }
}

/** pasta copies the host's address of the interface with the default route, unless told (-a). */
function containerAddress(mode: PastaMode): string | undefined {
  const given = optionValue(mode.args, '-a', '--address');
  if (given) return given;
  const route = defaultGateway(readRouteTable(process.pid));
  const addresses = route ? os.networkInterfaces()[route.interface] : undefined;
  return addresses?.find((info) => info.family === 'IPv4')?.address;
}

function hostsEntries(mode: PastaMode, pid: number): HostsEntry[] {
  const gateway = mode.mapGateway ? defaultGateway(readRouteTable(pid))?.gateway : undefined;
  return gateway ? [{ address: gateway, names: ['host.containers.internal', 'host.docker.internal'] }] : [];
}

function pidFileWritten(pidFile: string): boolean {
  try {
    return /^\d+\n$/.test(readFileSync(pidFile, 'utf8'));
  } catch {
    return false;
  }
}

export const pastaDriver: NetworkDriver<PastaMode> = {
  name: 'pasta',
  async start(pid, mode, ports, detached): Promise<RunningNetwork> {
    const binary = requireHelper('pasta');
    requireTunDevice();
    requireOwnNetworkNamespace(pid);
    const stateDir = createStateDir('pasta');
    const pidFile = path.join(stateDir, 'pasta.pid');
    const helper = await launchHelper({
      name: 'pasta',
      argv: pastaArguments(binary, pid, mode, ports, pidFile),
      stateDir,
      detached,
      targetPid: pid,
      ready: (_helper, done) => pollUntil(() => pidFileWritten(pidFile), done),
      timeoutMs: READY_TIMEOUT_MS,
    });
    return {
      driver: 'pasta',
      resolvConf: generateResolvConf([optionValue(mode.args, '--dns-forward') ?? PASTA_DNS_FORWARD], readHostResolvConf()),
      hostsEntries: hostsEntries(mode, pid),
      containerAddress: containerAddress(mode),
      ports,
      helperPid: helper.pid,
      helperStateDir: stateDir,
      stop: () => helper.stop(),
    };
  },
};
