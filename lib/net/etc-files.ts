// The container's /etc/resolv.conf and /etc/hosts, as text the run command writes into it.
import { readFileSync } from 'node:fs';
import type { HostsEntry } from './driver.js';

export const HOST_RESOLV_CONF = '/etc/resolv.conf';

export function readHostResolvConf(file = HOST_RESOLV_CONF): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** `nameserver` lines for the given servers, then the host's search and options lines. */
export function generateResolvConf(nameservers: string[], hostResolvConf: string): string {
  const kept = hostResolvConf
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /^(search|domain|options)\s/.test(line));
  return [...nameservers.map((server) => `nameserver ${server}`), ...kept].map((line) => `${line}\n`).join('');
}

/** localhost lines, then `entries`; a hostname no entry names goes on the loopback lines. */
export function generateHosts(hostname: string, entries: HostsEntry[]): string {
  const named = !hostname || entries.some((entry) => entry.names.includes(hostname));
  const own = named ? [] : [hostname];
  const lines = [
    ['127.0.0.1', 'localhost', 'localhost.localdomain', ...own],
    ['::1', 'localhost', 'ip6-localhost', 'ip6-loopback', ...own],
    ...entries.map((entry) => [entry.address, ...entry.names]),
  ];
  return lines.map((fields) => `${fields[0]}\t${fields.slice(1).join(' ')}\n`).join('');
}
