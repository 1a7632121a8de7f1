/**
 * The merge is an ordered list of small modifiers over a copy of config.json. A modifier has
 * one job and does no I/O: everything it needs from the host (device nodes, whether a path
 * exists, the real path behind a symlink) is resolved beforehand by host/facts.ts and handed
 * in as HostFacts. A modifier that must refuse throws an OpenclawError naming the field.
 * Anything that has to change on the host (a bind mount, a chown) is returned as a
 * HostAction for host/actions.ts to carry out after the whole merge succeeded.
 */
import type { Spec, SpecSeccomp } from '../spec/types.js';
import type { LoadedProfile } from '../profile/load.js';
import type { RuntimeConfig } from '../config/schema.js';

export interface DeviceNode {
  path: string;
  type: 'c' | 'b';
  major: number;
  minor: number;
  fileMode: number;
  uid: number;
  gid: number;
}

export interface PathFacts {
  exists: boolean;
  /** realpath, when it exists. */
  realPath?: string;
  isDirectory?: boolean;
  uid?: number;
  gid?: number;
}

export interface HostFacts {
  /** NVIDIA device nodes present on the host, keyed by path (/dev/nvidia0, /dev/nvidiactl, ...). */
  nvidiaDevices: DeviceNode[];
  /** Facts about every host path a modifier may look at (bind sources, the rootfs). */
  paths: Record<string, PathFacts>;
  /** Whether every directory from / to the rootfs lets "other" search it (o+x). */
  rootfsTraversableByOthers: boolean;
  /** Whether the rootfs directory itself lets "other" search it (a bind cannot fix that). */
  rootfsSelfTraversable: boolean;
  /** Mount destinations (of the profile's binds) that are missing in the rootfs. */
  missingMountpoints: string[];
  /** Namespaces the spec joins by path, keyed by that path (host/namespace-facts.ts); none known: refused. */
  namespaces?: Record<string, JoinedNamespaceFacts>;
  /**
   * Destinations of the spec's file binds (an engine's /etc/hosts, resolv.conf, hostname) that
   * are missing in the rootfs, when the profile adds a user namespace: the mapped root cannot
   * create them in a root-owned /etc (CRI has no init layer like Docker's).
   */
  missingFileMountpoints?: string[];
  /** Configured engine roots ([engines] in config.toml) -> real path (host/engine-facts.ts). */
  engineRoots?: Record<string, string>;
}

export type NamespaceOwner =
  /** The init process of container `id` in the same runc root. */
  | { kind: 'container'; id: string; pid: number }
  /** A namespace pinned in one of the engine's netns directories. */
  | { kind: 'engine-netns'; dir: string };

export interface JoinedNamespaceFacts {
  exists: boolean;
  /** The file is a namespace (on nsfs, like /proc/1/ns/*). */
  isNamespace: boolean;
  /** Same nsfs inode as the host's namespace of that type. */
  isHost: boolean;
  owner?: NamespaceOwner;
}

export type HostAction =
  /** Bind-mount the rootfs somewhere the container's mapped ids can reach; undone at delete. */
  | { kind: 'bind-rootfs'; source: string; target: string }
  /** Create a bind-mount source directory the profile allows (create: true). */
  | { kind: 'mkdir'; path: string }
  /** Give a writable bind source to the container's mapped root so it can write there. */
  | { kind: 'chown'; path: string; uid: number; gid: number }
  /**
   * Create a missing mount point inside the rootfs. runc does this itself, except in a user
   * namespace, where its init runs as the mapped root and cannot write the image's root-owned
   * directories. Symlinks on the way are refused (the image is untrusted).
   */
  | { kind: 'mountpoint'; rootfs: string; path: string; file?: boolean };

export interface MergeInputs {
  profile: LoadedProfile;
  /** The profile's syscallFilter compiled to OCI form (undefined: the profile has none). */
  compiledSeccomp?: SpecSeccomp;
  config: RuntimeConfig;
  containerId: string;
  host: HostFacts;
  /** Absolute bundle directory. */
  bundle: string;
  /** Absolute path of hooks/openclaw-poststop (the cleanup hook added when the host changes). */
  cleanupHookPath: string;
  /** The host's seal key (merge/seal.ts); without it a merged filter is always merged again. */
  sealKey?: Buffer;
  /** The config.json path, for error messages. */
  specFile: string;
  /**
   * Set only for a CRI pod sandbox: the profile the RuntimeClass chose for the pod (`profile`
   * is then the fixed pause policy with this profile's namespaces; merge/pause.ts).
   */
  podProfile?: LoadedProfile;
}

export interface MergeState {
  spec: Spec;
  hostActions: HostAction[];
}

export interface Modifier {
  /** Short name, used in errors and the debug log. */
  readonly name: string;
  apply(state: MergeState): void;
}
