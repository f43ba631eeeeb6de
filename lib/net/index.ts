// The container network, for `rootless run`: parse --network and -p, reserve host ports, start
// the driver against a process in the container's network namespace, and get the text of its
// /etc/resolv.conf and /etc/hosts. See docs/NETWORK.md for the order of calls.
import type { NetworkDriver, RunningNetwork } from './driver.js';
import { hostDriver, noneDriver } from './loopback.js';
import type { NetworkMode, PortMapping } from './options.js';
import { pastaDriver } from './pasta.js';
import { defaultHelperMissing } from './preflight.js';
import { slirp4netnsDriver } from './slirp4netns.js';
import { findHelper } from '../runtime/idmap.js';

export type { HostsEntry, NetworkDriver, RunningNetwork } from './driver.js';
export type { NetworkMode, PastaMode, PortMapping, Protocol, PublishRequest, Slirp4netnsMode } from './options.js';
export { parseNetwork, parsePublish, publishExposed } from './options.js';
export { reservePorts, type PortCheckOptions } from './ports.js';
export { generateHosts, generateResolvConf } from './etc-files.js';
export { networkWarnings } from './warnings.js';
export { pastaInstalled } from './preflight.js';

export interface StartNetworkOptions {
  /** From reservePorts(); ignored for none and host (networkWarnings() says so). */
  ports?: PortMapping[];
  /** The container's hostname: /etc/hosts maps it to the container's address. */
  hostname?: string;
  /** The helper outlives the CLI (`run -d`, `start`): the container's monitor ends it. */
  detached?: boolean;
}

const drivers: { [Kind in NetworkMode['kind']]: NetworkDriver<Extract<NetworkMode, { kind: Kind }>> } = {
  pasta: pastaDriver,
  slirp4netns: slirp4netnsDriver,
  none: noneDriver,
  host: hostDriver,
};

/** Connects the network namespace of `pid` (a process of the container, e.g. stage 1's) as `mode` says. */
export async function startNetwork(mode: NetworkMode, pid: number, options: StartNetworkOptions = {}): Promise<RunningNetwork> {
  const forwarding = mode.kind === 'pasta' || mode.kind === 'slirp4netns';
  if (forwarding && !findHelper('pasta') && !findHelper('slirp4netns')) throw defaultHelperMissing();
  const driver = drivers[mode.kind] as NetworkDriver;
  const network = await driver.start(pid, mode, forwarding ? (options.ports ?? []) : [], options.detached);
  if (options.hostname && network.containerAddress) {
    network.hostsEntries = [{ address: network.containerAddress, names: [options.hostname] }, ...network.hostsEntries];
  }
  return network;
}
