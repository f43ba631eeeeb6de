// What `rootless info` reports (its JSON is this object) and what `rootless doctor` judges.
// Gathering does the I/O; every check is a pure function of a HostInfo.
import type { SubIdEntry, SubIdRange } from '../runtime/idmap.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  id: string;
  title: string;
  status: CheckStatus;
  detail: string;
  /** The exact command (or commands) that fixes it. */
  fix?: string;
}

export interface Distribution {
  id: string;
  idLike: string[];
  name: string;
  version: string;
}

export interface IdMapHelper {
  path: string | null;
  setuidRoot: boolean;
  /** Has CAP_SETUID (newuidmap) / CAP_SETGID (newgidmap) as an effective file capability. */
  fileCapability: boolean;
  /** On a nosuid mount, where neither the setuid bit nor file capabilities take effect. */
  nosuidMount: boolean;
}

export interface UserNamespaceInfo {
  unshare: string | null;
  /** `unshare --user --map-root-user --mount true` worked: a namespace with working capabilities. */
  works: boolean;
  error: string | null;
  maxUserNamespaces: number | null;
  /** Debian ≤ 10's kernel.unprivileged_userns_clone; null where the knob does not exist. */
  unprivilegedUsernsClone: number | null;
  /** Ubuntu 23.10+'s kernel.apparmor_restrict_unprivileged_userns. */
  apparmorRestrictUnprivilegedUserns: number | null;
  /** Inside a Docker/Podman container (seccomp usually refuses unshare there). */
  inContainer: boolean;
  /** Whether our own user namespace has the ids root's containers map to (false for root of `unshare -r` or of a rootless container). */
  rootRangeMapped: boolean;
}

export interface IdMapTrial {
  works: boolean;
  /** The maps a container gets, as `uids 0→1000, 1→100000+65536; gids …`. */
  planned: string;
  error: string | null;
  /** The launcher's own remedy for the error. */
  remedy: string | null;
}

export interface IdMappingInfo {
  subuid: SubIdRange[];
  subgid: SubIdRange[];
  /** Root only: where `run --userns=auto` takes ranges from (the `containers` entries, else the built-in pool). */
  autoPool?: { source: string; uids: SubIdRange[]; gids: SubIdRange[] };
  /** Entries of other users (or root's fixed range) sharing ids with this user's. */
  overlaps: Array<SubIdEntry & { file: string }>;
  /** A free range to give this user. */
  suggestedRange: SubIdRange;
  newuidmap: IdMapHelper;
  newgidmap: IdMapHelper;
  /** A user namespace really created with those maps; null when not tried (quick mode, or user namespaces fail). */
  trial: IdMapTrial | null;
}

export interface StoreInfo {
  path: string;
  exists: boolean;
  /** The store, or its nearest existing parent when it does not exist yet. */
  checkedPath: string;
  writable: boolean;
  filesystem: string;
  mountPoint: string;
  mountOptions: string[];
  availableBytes: number | null;
  /** Bytes on disk (st_blocks, hard links counted once); `complete` is false when the walk stopped early or hit unreadable dirs. */
  size: { bytes: number; files: number; complete: boolean } | null;
  /** A directory on a local filesystem to suggest when this one cannot work. */
  localAlternative: string;
  /** For root: the first directory above the store that others cannot enter, which root's containers (other uids) must. */
  untraversable: string | null;
}

export interface ProbeOutcomeInfo {
  works: boolean;
  error: string | null;
}

export interface IdmapProbeInfo extends ProbeOutcomeInfo {
  target: 'store' | 'tmpfs';
  filesystem: string;
}

export interface LayerStrategy {
  mode: 'idmapped' | 'unpacked-in-userns';
  reason: string;
}

export interface NetworkHelper {
  path: string;
  version: string;
}

export interface NetworkInfo {
  pasta: NetworkHelper | null;
  slirp4netns: NetworkHelper | null;
  tun: { path: string; usable: boolean; error: string | null };
  ipUnprivilegedPortStart: number | null;
}

export interface CgroupInfo {
  version: 'v2' | 'hybrid' | 'v1';
  /** The cgroup2 directory this process may manage (the highest writable one above it), or its own. */
  path: string | null;
  controllers: string[];
  writable: boolean;
}

export interface RuntimeDirInfo {
  dir: string;
  xdgRuntimeDir: string | null;
  /** For a set XDG_RUNTIME_DIR: owner and permission bits, or null when it does not exist. */
  xdgOwner: number | null;
  xdgMode: string | null;
  /** /run/user/UID, the directory a login session gets. */
  loginDir: { path: string; usable: boolean };
}

export interface HostInfo {
  host: { kernel: string; arch: string; distribution: Distribution; systemd: boolean };
  user: { name: string; uid: number; gid: number; root: boolean };
  userNamespaces: UserNamespaceInfo;
  idMapping: IdMappingInfo;
  store: StoreInfo;
  /** null when not probed (the quick diagnosis skips the probes). */
  overlay: ProbeOutcomeInfo | null;
  idmap: IdmapProbeInfo[] | null;
  /** Why the probes did not run (null when they ran, or were not asked for). */
  probesSkipped: string | null;
  layerStrategy: LayerStrategy | null;
  network: NetworkInfo;
  cgroup: CgroupInfo;
  init: { name: 'catatonit' | 'tini-static' | 'none'; path: string | null };
  runtime: RuntimeDirInfo;
  /** /var/lib/systemd/linger/USER exists; null without systemd. */
  linger: boolean | null;
}
