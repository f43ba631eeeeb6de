// What run should tell the user before starting a network that will not do all it was asked:
// ports with no forwarding, and UDP answers the packaged helpers are known to drop.
import { ALL_ADDRESSES, type NetworkMode, type PublishRequest } from './options.js';

const reachableFromLoopback = (port: PublishRequest) => port.hostIP === ALL_ADDRESSES || port.hostIP.startsWith('127.');

/** One line each; empty when the network will do what was asked. `ports`: reservePorts' result (none, host: the requests). */
export function networkWarnings(mode: NetworkMode, ports: PublishRequest[]): string[] {
  if (mode.kind === 'none' || mode.kind === 'host') {
    return ports.length > 0 ? [`published ports are ignored with --network ${mode.kind}`] : [];
  }
  const udp = ports.filter((port) => port.protocol === 'udp' && reachableFromLoopback(port));
  if (mode.kind === 'slirp4netns' && !mode.allowHostLoopback && udp.length > 0) {
    return ['slirp4netns drops UDP answers to clients on this host\'s loopback unless allow_host_loopback=true (clients on other hosts are not affected)'];
  }
  const above = udp.find((port) => port.hostPort !== undefined && port.hostPort > port.containerPort);
  if (mode.kind === 'pasta' && above) {
    return [
      `this pasta build may drop UDP answers to clients on this host's loopback when the host port is above the container port (${above.hostPort} > ${above.containerPort}); a host port <= the container port avoids it`,
    ];
  }
  return [];
}
