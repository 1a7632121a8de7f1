/**
 * What host/ reads before the merge (HostFacts and the facts inside it) and what it carries
 * out after it (HostAction). host/facts.ts, host/namespace-facts.ts, host/engine-facts.ts and
 * host/cdi-specs.ts produce the facts; host/actions.ts consumes the actions. Modifiers
 * (shim/merge/*) import these as types only: they read facts and return actions, never do I/O.
 */
import type { CdiEditBlock } from '../cdi/resolve.js';

/** What the host facts read about one CDI host device node. */
export type CdiNodeFact = { ok: true; type: 'c' | 'b' | 'p'; major: number; minor: number; fileMode: number } | { ok: false; reason: string };

/** What the host facts read about one hook executable. */
export type CdiHookFact = { ok: true } | { ok: false; reason: string };

export interface CdiFacts {
  blocks: CdiEditBlock[];
  /** Keyed by host path. */
  nodes: Record<string, CdiNodeFact>;
  /** Keyed by hook path. */
  hooks: Record<string, CdiHookFact>;
  /** `gpus` is served by an nvidia.com/gpu CDI spec (merge/devices.ts then adds no bare nodes). */
  gpusViaCdi: boolean;
  /** Mount points of the CDI mounts missing in the rootfs, under a user namespace (created as host actions). */
  missingMountpoints?: Array<{ path: string; file: boolean }>;
}

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
  /** Whether the path exists, found without following symlinks (host/safe-path.ts). */
  exists: boolean;
  /** realpath, when it resolves (used to recognise engine files and sensitive paths, never to mount). */
  realPath?: string;
  isDirectory?: boolean;
  uid?: number;
  gid?: number;
  mode?: number;
  /**
   * Why a user other than root could replace the path before runc mounts it (a symlink on the
   * way, a directory others may write); undefined when nobody but root can.
   */
  unsafe?: string;
  /** Missing, and what the shim creates for it would land in this directory that other users may write (/tmp). */
  missingUnderSharedDir?: string;
}

/** What the host says about an executable a hook names (merge/hooks.ts). */
export interface ExecutableFacts {
  /**
   * The file it resolves to; for /proc/<pid>/exe the process's executable (without the
   * kernel's " (deleted)" suffix of an upgraded binary). Undefined when it does not resolve.
   */
  realPath?: string;
  /**
   * A regular file that only root can change: owned by root, not writable by group or others,
   * and so is every directory from / down to it (a root-owned sticky directory such as /tmp
   * may be writable by others: they cannot replace what root owns in it).
   */
  rootOnly: boolean;
  /** For /proc/<pid>/exe: whether that process runs as root (real, effective, saved and fs uid 0). */
  processIsRoot?: boolean;
}

/** What the host says about the cgroup directory a cgroupfs cgroupsPath names. */
export interface CgroupFacts {
  /** It exists and has processes in it (in any mounted hierarchy). */
  occupied: boolean;
  /** It exists and has child cgroups (the parent of other containers). */
  hasChildren: boolean;
}

export interface HostFacts {
  /** NVIDIA device nodes present on the host, keyed by path (/dev/nvidia0, /dev/nvidiactl, ...). */
  nvidiaDevices: DeviceNode[];
  /** Facts about every host path a modifier may look at (bind sources, per-container sources). */
  paths: Record<string, PathFacts>;
  /** Whether every directory from / to the rootfs lets "other" search it (o+x). */
  rootfsTraversableByOthers: boolean;
  /** Whether the rootfs directory itself lets "other" search it (a bind cannot fix that). */
  rootfsSelfTraversable: boolean;
  /** Why another user could replace the rootfs the shim would act on (user namespace profiles); undefined when safe. */
  rootfsUnsafe?: string;
  /** Mount destinations (of the profile's binds) that are missing in the rootfs. */
  missingMountpoints: string[];
  /** The CDI devices this container gets, resolved (host/cdi-specs.ts); absent when it asks for none. */
  cdi?: CdiFacts;
  /** Every hook path in config.json (merge/hooks.ts hookFactsWanted). */
  hookExecutables: Record<string, ExecutableFacts>;
  /** Directories engine hooks name in their arguments (Docker's -exec-root): whether only root can change them. */
  rootOnlyDirs: Record<string, boolean>;
  /** The cgroup an absolute cgroupfs linux.cgroupsPath names; undefined when there is none to look at. */
  cgroup?: CgroupFacts;
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
  /**
   * Make sure a bind source directory exists. Only a directory created by this action gets
   * `mode` and `uid`/`gid` (missing parents: root, `parentMode`); an existing one is never
   * chowned or chmodded. `reuse`: `any` keeps an existing directory as it is; `same-owner`
   * (writable per-container sources, found again when an engine restarts a container under
   * the same id) requires exactly what this action would have created; `root-owned`
   * (read-only per-container sources, which a platform may fill before the container starts)
   * requires root's own, writable by nobody else. Kept at delete.
   */
  | { kind: 'mkdir'; path: string; mode: number; uid: number; gid: number; parentMode: number; reuse: 'any' | 'same-owner' | 'root-owned' }
  /**
   * A container's job directory `<jobsDir>/<id>` (per-container bind sources live in it),
   * root-owned 0711. Kept at delete, which stamps its mtime: `jobs prune` counts retention from there.
   */
  | { kind: 'job'; jobsDir: string; id: string }
  /**
   * Create a missing mount point inside the rootfs. runc does this itself, except in a user
   * namespace, where its init runs as the mapped root and cannot write the image's root-owned
   * directories. Symlinks on the way are refused (the image is untrusted).
   */
  | { kind: 'mountpoint'; rootfs: string; path: string; file?: boolean };
