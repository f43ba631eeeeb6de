// The two OCI documents the spec builder joins: the image config (what the image asks for) and
// the runtime spec (what the runtime executes). Only the fields rootless reads or writes.
import type { LinuxCapabilities } from '../runtime/capabilities.js';
import type { IdMapping } from '../runtime/idmap.js';
import type { LinuxSeccomp } from '../runtime/seccomp/profile.js';
import type { SpecResources } from './resources.js';
import type { SpecRlimit } from './security.js';

/** `config` of an OCI image config (Docker's field names). */
export interface ImageRunConfig {
  User?: string;
  Env?: string[] | null;
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  WorkingDir?: string;
  StopSignal?: string;
  /** `{"80/tcp": {}}`: what -P publishes. */
  ExposedPorts?: Record<string, unknown> | null;
}

/** An OCI image config document (application/vnd.oci.image.config.v1+json). */
export interface OCIImageConfig {
  architecture?: string;
  os?: string;
  created?: string;
  config?: ImageRunConfig;
  rootfs?: { type: string; diff_ids: string[] };
}

export interface SpecMount {
  destination: string;
  type: string;
  source: string;
  options?: string[];
}

export interface SpecUser {
  uid: number;
  gid: number;
  additionalGids?: number[];
}

export type SpecNamespaceType = 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup';

export interface RuntimeSpec {
  ociVersion: string;
  process: {
    terminal: boolean;
    user: SpecUser;
    args: string[];
    env: string[];
    cwd: string;
    capabilities?: Partial<LinuxCapabilities>;
    noNewPrivileges?: boolean;
    rlimits?: SpecRlimit[];
  };
  root: { path: string; readonly?: boolean };
  hostname: string;
  mounts: SpecMount[];
  linux: {
    namespaces: Array<{ type: SpecNamespaceType }>;
    uidMappings: IdMapping[];
    gidMappings: IdMapping[];
    seccomp?: LinuxSeccomp;
    maskedPaths?: string[];
    readonlyPaths?: string[];
    resources?: SpecResources;
  };
  annotations?: Record<string, string>;
}
