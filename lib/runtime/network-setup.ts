// The container's network as `rootless run` uses lib/net (docs/NETWORK.md): the values are checked
// before the image is pulled, host ports are reserved before anything starts, the driver connects
// stage 1's network namespace while the CLI writes the bundle, and its answers become the
// container's /etc/hosts and /etc/resolv.conf.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
// Only the modules needed before stage 1 starts: the drivers (lib/net/index.js) load after it,
// while stage 2's Node starts.
import type { RunningNetwork } from '../net/driver.js';
import { generateHosts } from '../net/etc-files.js';
import { parseNetwork, parsePublish, publishExposed, type NetworkMode, type PortMapping, type PublishRequest } from '../net/options.js';
import { reservePorts } from '../net/ports.js';
import { defaultIsPasta } from '../net/preflight.js';
import { networkWarnings } from '../net/warnings.js';
import type { OCIImageConfig } from '../spec/oci.js';
import type { RunOptions } from '../spec/run-options.js';

export interface NetworkRequest {
  mode: NetworkMode;
  /** From -p; -P's ports are known once the image is. */
  publish: PublishRequest[];
}

/** --network and -p: bad values fail before anything is pulled or created. */
export function parseNetworkOptions(options: Pick<RunOptions, 'network' | 'publish' | 'detach'>): NetworkRequest {
  return { mode: parseNetwork(options.network, () => defaultIsPasta(options.detach)), publish: options.publish.flatMap(parsePublish) };
}

/**
 * Adds -P's ports (the image's ExposedPorts), reserves the host ports (low ports and ports in use
 * fail here) and prints lib/net's warnings. Ports go nowhere with none and host: [] then.
 */
export async function reserveNetworkPorts(request: NetworkRequest, publishAll: boolean, image: OCIImageConfig): Promise<PortMapping[]> {
  const requests = [...request.publish, ...(publishAll ? publishExposed(image.config?.ExposedPorts ?? undefined) : [])];
  const forwarding = request.mode.kind === 'pasta' || request.mode.kind === 'slirp4netns';
  const ports = forwarding ? await reservePorts(requests) : [];
  for (const warning of networkWarnings(request.mode, forwarding ? ports : requests)) process.stderr.write(`Warning: ${warning}\n`);
  return ports;
}

/** The bundle's hosts and resolv.conf, which build.ts bind-mounts onto /etc. */
export function writeNetworkFiles(bundleDir: string, network: RunningNetwork, hostname: string): void {
  writeFileSync(path.join(bundleDir, 'hosts'), generateHosts(hostname, network.hostsEntries));
  writeFileSync(path.join(bundleDir, 'resolv.conf'), network.resolvConf);
}
