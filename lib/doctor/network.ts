// Network helpers: pasta (passt) or slirp4netns give a rootless container its network, both
// through /dev/net/tun; the host's unprivileged port start decides which ports -p can publish.
import { closeSync, openSync } from 'node:fs';
import { findHelper } from '../runtime/idmap.js';
import { installCommand } from './packages.js';
import { versionFromOutput } from './parse.js';
import { readNumber, runCommand } from './read.js';
import type { CheckResult, HostInfo, NetworkHelper, NetworkInfo } from './types.js';

/** What the package manager says, for builds that print "unknown version" (Debian's pasta). */
async function packageVersion(name: string): Promise<string | undefined> {
  const dpkg = findHelper('dpkg-query');
  const rpm = findHelper('rpm');
  const query = dpkg ? await runCommand(dpkg, ['-W', '-f=${Version}', name]) : rpm ? await runCommand(rpm, ['-q', '--qf', '%{VERSION}-%{RELEASE}', name]) : undefined;
  return query?.ok && query.output ? query.output : undefined;
}

async function helper(name: string, packageName: string): Promise<NetworkHelper | null> {
  const path = findHelper(name);
  if (!path) return null;
  const said = await runCommand(path, ['--version']);
  const version = versionFromOutput(said.output) ?? (await packageVersion(packageName)) ?? 'unknown';
  return { path, version };
}

function tunState(): NetworkInfo['tun'] {
  const path = '/dev/net/tun';
  try {
    closeSync(openSync(path, 'r+'));
    return { path, usable: true, error: null };
  } catch (error) {
    return { path, usable: false, error: (error as NodeJS.ErrnoException).code ?? (error as Error).message };
  }
}

export async function gatherNetwork(): Promise<NetworkInfo> {
  const [pasta, slirp4netns] = await Promise.all([helper('pasta', 'passt'), helper('slirp4netns', 'slirp4netns')]);
  return { pasta, slirp4netns, tun: tunState(), ipUnprivilegedPortStart: readNumber('/proc/sys/net/ipv4/ip_unprivileged_port_start') };
}

export function checkNetworkHelpers(info: HostInfo): CheckResult {
  const { pasta, slirp4netns } = info.network;
  const result = { id: 'network-helpers', title: 'network helpers' } as const;
  const describe = (name: string, found: NetworkHelper | null) => (found ? `${name} ${found.version} (${found.path})` : `${name} not found`);
  const detail = `${describe('pasta', pasta)}, ${describe('slirp4netns', slirp4netns)}`;
  if (!pasta && !slirp4netns) {
    return { ...result, status: 'fail', detail: `${detail}: containers can only use --network=none or host`, fix: installCommand('passt', info.host.distribution) };
  }
  return { ...result, status: 'ok', detail };
}

export function checkTun(info: HostInfo): CheckResult {
  const { tun } = info.network;
  const result = { id: 'tun', title: '/dev/net/tun' } as const;
  if (tun.usable) return { ...result, status: 'ok', detail: 'opens read-write' };
  if (tun.error === 'ENOENT') {
    return { ...result, status: 'fail', detail: `${tun.path} does not exist: pasta and slirp4netns need it`, fix: 'sudo modprobe tun' };
  }
  return {
    ...result,
    status: 'fail',
    detail: `${tun.path} cannot be opened read-write (${tun.error}): pasta and slirp4netns need it`,
    fix: `sudo chmod 666 ${tun.path}, and to keep it after reboots: echo 'KERNEL=="tun", MODE="0666"' | sudo tee /etc/udev/rules.d/60-rootless-tun.rules`,
  };
}

export function checkPorts(info: HostInfo): CheckResult {
  const start = info.network.ipUnprivilegedPortStart;
  const result = { id: 'ports', title: 'publishable ports' } as const;
  if (info.user.root || start === null || start === 0) return { ...result, status: 'ok', detail: 'every port can be published' };
  return {
    ...result,
    status: 'ok',
    detail: `ports from ${start} up can be published (net.ipv4.ip_unprivileged_port_start=${start}; lower it with sudo sysctl -w net.ipv4.ip_unprivileged_port_start=80 to publish 80)`,
  };
}
