// The shape every network driver has (after rootlesskit's network drivers): started against a
// process inside the container's network namespace, it connects that namespace and says what the
// container's /etc/resolv.conf and /etc/hosts should hold.
import type { NetworkMode, PortMapping } from './options.js';

/** One /etc/hosts line: `address names…`. */
export interface HostsEntry {
  address: string;
  names: string[];
}

export interface RunningNetwork {
  driver: NetworkMode['kind'];
  /** Content for the container's /etc/resolv.conf. */
  resolvConf: string;
  /** Extra /etc/hosts lines, e.g. host.containers.internal when the host is reachable. */
  hostsEntries: HostsEntry[];
  /** The container's own address (its hostname's /etc/hosts line), when it has one besides lo. */
  containerAddress?: string;
  /** The ports forwarded, with the host ports actually used. */
  ports: PortMapping[];
  /** pid of the helper (pasta, slirp4netns) while it runs. */
  helperPid?: number;
  /** The helper's state directory (sockets, pid, a detached helper's stderr). */
  helperStateDir?: string;
  /** Ends the helper; safe to call twice; never hangs (SIGKILL after a grace period). */
  stop(): Promise<void>;
}

export interface NetworkDriver<Mode extends NetworkMode = NetworkMode> {
  name: Mode['kind'];
  /** `pid`: a process in the container's network namespace (and its user namespace). */
  /** `detached`: the helper outlives the CLI (`run -d`); the container's monitor ends it. */
  start(pid: number, mode: Mode, ports: PortMapping[], detached?: boolean): Promise<RunningNetwork>;
}
