/**
 * The parts of the OCI runtime spec (config.json, runtime-spec v1.0.2 as runc 1.1 reads it)
 * that openclaw-runtime reads or writes. Every interface keeps an index signature: fields we
 * do not own are carried through untouched, never dropped.
 */
import type { U64 } from '../util/json.js';

type Open = { [key: string]: unknown };

export interface Spec extends Open {
  ociVersion?: string;
  process?: SpecProcess;
  root?: SpecRoot;
  hostname?: string;
  mounts?: SpecMount[];
  hooks?: SpecHooks;
  annotations?: Record<string, string>;
  linux?: SpecLinux;
}

export interface SpecProcess extends Open {
  terminal?: boolean;
  user?: { uid: number; gid: number; additionalGids?: number[]; umask?: number } & Open;
  args?: string[];
  env?: string[];
  cwd?: string;
  capabilities?: SpecCapabilities;
  rlimits?: SpecRlimit[];
  noNewPrivileges?: boolean;
  apparmorProfile?: string;
  selinuxLabel?: string;
  oomScoreAdj?: number;
}

export interface SpecCapabilities extends Open {
  bounding?: string[];
  effective?: string[];
  inheritable?: string[];
  permitted?: string[];
  ambient?: string[];
}

export interface SpecRlimit extends Open {
  type: string;
  hard: U64;
  soft: U64;
}

export interface SpecRoot extends Open {
  path: string;
  readonly?: boolean;
}

export interface SpecMount extends Open {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
}

export interface SpecHook extends Open {
  path: string;
  args?: string[];
  env?: string[];
  timeout?: number;
}

export interface SpecHooks extends Open {
  prestart?: SpecHook[];
  createRuntime?: SpecHook[];
  createContainer?: SpecHook[];
  startContainer?: SpecHook[];
  poststart?: SpecHook[];
  poststop?: SpecHook[];
}

export interface SpecNamespace extends Open {
  type: NamespaceType;
  path?: string;
}

/** merge/namespaces.ts NAMESPACE_RULES is keyed by this type: the type checker asks for a rule per namespace. */
export type NamespaceType = 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup';

export interface SpecIdMapping extends Open {
  containerID: number;
  hostID: number;
  size: number;
}

export interface SpecDevice extends Open {
  type: string;
  path: string;
  major?: number;
  minor?: number;
  fileMode?: number;
  uid?: number;
  gid?: number;
}

export interface SpecDeviceCgroup extends Open {
  allow: boolean;
  type?: string;
  major?: number;
  minor?: number;
  access?: string;
}

export interface SpecResources extends Open {
  devices?: SpecDeviceCgroup[];
  memory?: { limit?: U64; reservation?: U64; swap?: U64; kernel?: U64; kernelTCP?: U64; swappiness?: U64; disableOOMKiller?: boolean } & Open;
  cpu?: { shares?: U64; quota?: U64; period?: U64; realtimeRuntime?: U64; realtimePeriod?: U64; cpus?: string; mems?: string } & Open;
  pids?: { limit: U64 } & Open;
  unified?: Record<string, string>;
}

export interface SpecSeccompArg extends Open {
  index: number;
  value: U64;
  valueTwo?: U64;
  op: string;
}

export interface SpecSyscall extends Open {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: SpecSeccompArg[];
}

export interface SpecSeccomp extends Open {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  flags?: string[];
  listenerPath?: string;
  listenerMetadata?: string;
  syscalls?: SpecSyscall[];
}

export interface SpecLinux extends Open {
  uidMappings?: SpecIdMapping[];
  gidMappings?: SpecIdMapping[];
  sysctl?: Record<string, string>;
  resources?: SpecResources;
  cgroupsPath?: string;
  namespaces?: SpecNamespace[];
  devices?: SpecDevice[];
  seccomp?: SpecSeccomp;
  maskedPaths?: string[];
  readonlyPaths?: string[];
  mountLabel?: string;
  rootfsPropagation?: string;
}
