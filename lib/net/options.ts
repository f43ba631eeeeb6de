// `--network` and `-p/--publish` values in Podman's syntax, parsed into data. Pure: nothing here
// touches the host (free-port probing and the low-port check live in ports.ts).
import { isIP } from 'node:net';
import { RootlessError } from '../errors.js';

export type Protocol = 'tcp' | 'udp';

/** One published port after range expansion; no hostPort means "pick a free one". */
export interface PublishRequest {
  hostIP: string;
  hostPort?: number;
  containerPort: number;
  protocol: Protocol;
}

/** A forwarded port: connections to hostIP:hostPort reach containerPort inside. */
export interface PortMapping {
  hostIP: string;
  hostPort: number;
  containerPort: number;
  protocol: Protocol;
}

export interface Slirp4netnsMode {
  kind: 'slirp4netns';
  allowHostLoopback: boolean;
  mtu: number;
  cidr: string;
  enableIPv6: boolean;
  outboundAddr?: string;
  outboundAddr6?: string;
}

export interface PastaMode {
  kind: 'pasta';
  /** Options passed through to pasta (`pasta:OPT1,OPT2`), without our own `--map-gw`. */
  args: string[];
  /** `--map-gw`: let the container reach the host's loopback at the gateway address. */
  mapGateway: boolean;
}

export type NetworkMode = Slirp4netnsMode | PastaMode | { kind: 'none' } | { kind: 'host' };

/** Every address of the host: what `-p 8080:80` binds. */
export const ALL_ADDRESSES = '0.0.0.0';
export const SLIRP_DEFAULT_CIDR = '10.0.2.0/24';
export const DEFAULT_MTU = 65520;

const NETWORK_FORMS = 'pasta[:OPTIONS], slirp4netns[:OPTIONS], none, host or private';
const PUBLISH_FORM = 'Use -p [HOSTIP:][HOSTPORT:]CONTAINERPORT[/tcp|/udp], e.g. -p 8080:80, -p 127.0.0.1:8080:80/udp, -p 8000-8002:80-82';

function badNetwork(value: string, why: string, remedy = `Use --network ${NETWORK_FORMS}`): RootlessError {
  return new RootlessError(`invalid --network "${value}": ${why}`, { remedy });
}

/** `--network VALUE`; `private` and no value mean the default, pasta or slirp4netns (`defaultIsPasta`). */
export function parseNetwork(value: string | undefined, defaultIsPasta: () => boolean): NetworkMode {
  const text = value?.trim() ?? '';
  const colon = text.indexOf(':');
  const name = colon < 0 ? text : text.slice(0, colon);
  const options = colon < 0 ? undefined : text.slice(colon + 1);
  switch (name) {
    case '':
    case 'private':
      if (options !== undefined) throw badNetwork(text, `"${name}" takes no options`);
      return defaultIsPasta() ? { kind: 'pasta', args: [], mapGateway: false } : parseSlirpOptions(text, '');
    case 'pasta': {
      const args = (options ?? '').split(',').filter(Boolean);
      return { kind: 'pasta', args: args.filter((arg) => arg !== '--map-gw'), mapGateway: args.includes('--map-gw') };
    }
    case 'slirp4netns':
      return parseSlirpOptions(text, options ?? '');
    case 'none':
    case 'host':
      if (options !== undefined) throw badNetwork(text, `"${name}" takes no options`);
      return { kind: name };
    case 'bridge':
      throw badNetwork(text, 'bridge networks need a privileged network daemon, which rootless does not use');
    case 'container':
    case 'ns':
      throw badNetwork(text, `joining another namespace ("${name}:") is not supported yet`);
    default:
      throw badNetwork(text, `unknown network mode "${name}"`);
  }
}

function parseBoolean(text: string, key: string, value: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw badNetwork(text, `${key} must be true or false, not "${value}"`);
}

const SLIRP_OPTIONS = 'allow_host_loopback=true|false, mtu=N, cidr=A.B.C.D/N, enable_ipv6=true|false, outbound_addr=IPv4, outbound_addr6=IPv6, port_handler=slirp4netns';

function parseSlirpOptions(text: string, options: string): Slirp4netnsMode {
  const mode: Slirp4netnsMode = { kind: 'slirp4netns', allowHostLoopback: false, mtu: DEFAULT_MTU, cidr: SLIRP_DEFAULT_CIDR, enableIPv6: false };
  for (const option of options.split(',').filter(Boolean)) {
    const equals = option.indexOf('=');
    const key = equals < 0 ? option : option.slice(0, equals);
    const value = equals < 0 ? '' : option.slice(equals + 1);
    switch (key) {
      case 'allow_host_loopback':
        mode.allowHostLoopback = parseBoolean(text, key, value);
        break;
      case 'enable_ipv6':
        mode.enableIPv6 = parseBoolean(text, key, value);
        break;
      case 'mtu': {
        const mtu = Number(value);
        if (!/^\d+$/.test(value) || mtu < 68 || mtu > 65521) throw badNetwork(text, `mtu must be a number from 68 to 65521, not "${value}"`);
        mode.mtu = mtu;
        break;
      }
      case 'cidr':
        mode.cidr = parseSlirpCidr(text, value);
        break;
      case 'outbound_addr':
      case 'outbound_addr6': {
        const family = key === 'outbound_addr' ? 4 : 6;
        if (isIP(value) !== family) throw badNetwork(text, `${key} must be an IPv${family} address, not "${value}"`);
        if (family === 4) mode.outboundAddr = value;
        else mode.outboundAddr6 = value;
        break;
      }
      case 'port_handler':
        if (value !== 'slirp4netns') {
          throw badNetwork(text, `port_handler=${value} is not supported: ports are forwarded by slirp4netns itself`, 'Use port_handler=slirp4netns or leave it out');
        }
        break;
      default:
        throw badNetwork(text, `unknown slirp4netns option "${key}"`, `Known options: ${SLIRP_OPTIONS}`);
    }
  }
  return mode;
}

/** slirp4netns puts the gateway at .2, DNS at .3 and the container at .100 of this network. */
function parseSlirpCidr(text: string, value: string): string {
  const match = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(value);
  const prefix = Number(match?.[2]);
  if (!match || isIP(match[1]!) !== 4 || prefix < 8 || prefix > 25) {
    throw badNetwork(text, `cidr must be an IPv4 network from /8 to /25 (the container gets its .100 address), not "${value}"`);
  }
  return value;
}

/** The address `offset` places after the network address of an IPv4 CIDR (10.0.2.0/24, 100 → 10.0.2.100). */
export function addressInCidr(cidr: string, offset: number): string {
  const [address, prefix] = cidr.split('/');
  const value = address!.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0);
  const network = value - (value % 2 ** (32 - Number(prefix)));
  const result = network + offset;
  return [24, 16, 8, 0].map((shift) => Math.floor(result / 2 ** shift) % 256).join('.');
}

function badPublish(value: string, why: string): RootlessError {
  return new RootlessError(`invalid port mapping "${value}": ${why}`, { remedy: PUBLISH_FORM });
}

interface PortRange {
  first: number;
  count: number;
}

function parsePortRange(text: string, onError: (why: string) => RootlessError): PortRange {
  const match = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!match) throw onError(`"${text}" is not a port number or range`);
  const first = Number(match[1]);
  const last = match[2] === undefined ? first : Number(match[2]);
  if (first < 1 || last > 65535) throw onError(`ports go from 1 to 65535, not ${text}`);
  if (last < first) throw onError(`the range ${text} ends before it starts`);
  return { first, count: last - first + 1 };
}

function parseProtocol(text: string, onError: (why: string) => RootlessError): Protocol {
  if (text === 'tcp' || text === 'udp') return text;
  throw onError(`protocol "${text}" is not supported (tcp or udp)`);
}

/** Splits `[HOSTIP:][HOSTPORT:]CONTAINERPORT`; an IPv6 host address must be in brackets. */
function splitPublish(value: string, spec: string): { hostIP: string; hostPort: string; containerPort: string } {
  let rest = spec;
  let hostIP: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0 || rest[close + 1] !== ':') throw badPublish(value, 'an IPv6 address in brackets must be followed by ":"');
    hostIP = rest.slice(1, close);
    if (isIP(hostIP) !== 6) throw badPublish(value, `"${hostIP}" is not an IPv6 address`);
    rest = rest.slice(close + 2);
  }
  const parts = rest.split(':');
  if (hostIP === undefined && parts.length === 3) {
    hostIP = parts.shift()!;
    if (isIP(hostIP) !== 4) throw badPublish(value, `"${hostIP}" is not an IPv4 address (write IPv6 ones in brackets)`);
  }
  if (parts.length > 2) throw badPublish(value, 'too many ":" (write an IPv6 host address in brackets: [::1]:8080:80)');
  if (hostIP !== undefined && parts.length !== 2) throw badPublish(value, 'a host address needs HOSTPORT:CONTAINERPORT after it (HOSTPORT may be empty)');
  const containerPort = parts.pop()!;
  return { hostIP: hostIP ?? ALL_ADDRESSES, hostPort: parts.pop() ?? '', containerPort };
}

/** One `-p` value → one request per port (ranges expanded). */
export function parsePublish(value: string): PublishRequest[] {
  const onError = (why: string) => badPublish(value, why);
  const slash = value.lastIndexOf('/');
  const spec = slash < 0 ? value : value.slice(0, slash);
  const protocol = slash < 0 ? 'tcp' : parseProtocol(value.slice(slash + 1), onError);
  const parts = splitPublish(value, spec);
  if (parts.containerPort === '') throw badPublish(value, 'the container port is missing');
  const container = parsePortRange(parts.containerPort, onError);
  const host = parts.hostPort === '' ? undefined : parsePortRange(parts.hostPort, onError);
  if (host && host.count !== container.count) {
    throw badPublish(value, `the host range has ${host.count} ports and the container range ${container.count}`);
  }
  return Array.from({ length: container.count }, (_, index) => ({
    hostIP: parts.hostIP,
    hostPort: host ? host.first + index : undefined,
    containerPort: container.first + index,
    protocol,
  }));
}

/** `-P`: every port the image's config declares in `ExposedPorts` (`{"80/tcp": {}}`), on a free host port. */
export function publishExposed(exposedPorts: Record<string, unknown> | undefined): PublishRequest[] {
  return Object.keys(exposedPorts ?? {}).flatMap((key) => {
    const onError = (why: string) => new RootlessError(`the image's ExposedPorts entry "${key}" is invalid: ${why}`, { remedy: 'Publish its ports with -p instead of -P' });
    const [ports, protocolText] = key.split('/');
    const protocol = protocolText === undefined ? 'tcp' : parseProtocol(protocolText, onError);
    const range = parsePortRange(ports!, onError);
    return Array.from({ length: range.count }, (_, index) => ({ hostIP: ALL_ADDRESSES, containerPort: range.first + index, protocol }));
  });
}
