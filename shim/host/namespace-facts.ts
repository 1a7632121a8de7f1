/**
 * Host facts about namespaces a spec joins by path (linux.namespaces[].path), read before the
 * merge so the namespaces modifier stays pure.
 *
 * A joined namespace counts as isolated only when both hold:
 * - it is not the host's: its nsfs identity (st_dev, st_ino of the file) differs from that of
 *   /proc/self/ns/<type> (the runtime's own: what a container without that namespace would
 *   share, and runc runs beside us) and of /proc/1/ns/<type> where that is readable (it is not
 *   inside some sandboxes: EACCES without CAP_SYS_PTRACE over pid 1);
 * - it belongs to the same engine, which is how Kubernetes and Docker share namespaces:
 *   - `/proc/<pid>/ns/<type>` where <pid> is the init process of a container in the SAME runc
 *     root (`--root`, one per engine namespace: `<root>/<id>/state.json`, written by runc, root
 *     only), with the same start time (a reused pid is not that container). This is how a pod's
 *     containers join the pause container's net/ipc/uts namespaces, and Docker's
 *     `--network container:X`;
 *   - a file directly inside one of the engine's network-namespace directories
 *     ([engines] netns_dirs in the config, plus the CRI plugin's `<state>/netns` derived from a
 *     containerd bundle path), which is where containerd's CRI plugin pins the pod's netns for CNI.
 * Anything else (a namespace of some host daemon, a file elsewhere, a missing file) is refused.
 * The kernel checks the namespace's type itself: runc's setns(fd, CLONE_NEWxxx) fails on a
 * namespace of another type.
 */
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { NamespaceType, Spec } from '../oci/types.js';
import type { JoinedNamespaceFacts, NamespaceOwner } from './types.js';
import { containerdStateOfBundle } from '../oci/bundle.js';
import { procStartTime } from '../util/proc-start.js';

/** /proc/PID/ns/ entry names, by OCI namespace type. */
export const PROC_NS_NAME: Record<NamespaceType, string> = {
  pid: 'pid',
  network: 'net',
  mount: 'mnt',
  ipc: 'ipc',
  uts: 'uts',
  user: 'user',
  cgroup: 'cgroup',
};


export interface NamespaceFactsContext {
  runcRoot: string;
  bundle: string;
  /** Configured netns directories of the engines ([engines] netns_dirs). */
  netnsDirs: readonly string[];
  /** Where /proc is (tests point it elsewhere). */
  proc?: string;
}

function statId(path: string): { dev: bigint; ino: bigint } | undefined {
  try {
    const st = statSync(path, { bigint: true });
    return { dev: st.dev, ino: st.ino };
  } catch {
    return undefined;
  }
}

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** containerd bundle -> its CRI plugin's netns dir `<state>/io.containerd.grpc.v1.cri/netns` (netns_mounts_under_state_dir). */
export function criNetnsDirOfBundle(bundle: string): string | undefined {
  const state = containerdStateOfBundle(bundle);
  return state ? join(state, 'io.containerd.grpc.v1.cri', 'netns') : undefined;
}

function containerWithInit(runcRoot: string, pid: number, proc: string): string | undefined {
  let ids: string[];
  try {
    ids = readdirSync(runcRoot);
  } catch {
    return undefined;
  }
  const started = procStartTime(pid, proc);
  for (const id of ids) {
    try {
      const state = JSON.parse(readFileSync(join(runcRoot, id, 'state.json'), 'utf8')) as { init_process_pid?: number; init_process_start?: number | string };
      if (state.init_process_pid === pid && started !== undefined && String(state.init_process_start) === started) return id;
    } catch {
      /* not a runc container directory, or gone */
    }
  }
  return undefined;
}

export function joinedNamespaceFacts(type: NamespaceType, path: string, ctx: NamespaceFactsContext): JoinedNamespaceFacts {
  const proc = ctx.proc ?? '/proc';
  const id = statId(path);
  if (!id) return { exists: false, isNamespace: false, isHost: false };
  // The host's namespace as the runtime sees it: the one runc (and we) run in, which a container
  // without its own namespace of that type would share; and pid 1's, where we may read it.
  const hosts = ['self', '1'].map((p) => statId(join(proc, p, 'ns', PROC_NS_NAME[type]))).filter((h) => h !== undefined);
  // Every nsfs file lives on the one nsfs superblock: same st_dev as the host's ns file.
  const isNamespace = hosts.length > 0 && id.dev === hosts[0]!.dev;
  const isHost = hosts.some((h) => h.dev === id.dev && h.ino === id.ino);
  let owner: NamespaceOwner | undefined;
  const m = new RegExp(`^${proc.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/([1-9][0-9]*)/ns/${PROC_NS_NAME[type]}$`).exec(path);
  if (m) {
    const pid = Number(m[1]);
    const container = containerWithInit(ctx.runcRoot, pid, proc);
    if (container) owner = { kind: 'container', id: container, pid };
  } else {
    const dirs = [...ctx.netnsDirs, criNetnsDirOfBundle(ctx.bundle)].filter((d): d is string => d !== undefined).map(real);
    const dir = real(dirname(path));
    if (type === 'network' && dirs.includes(dir) && basename(path) !== '' && real(path) === join(dir, basename(path))) owner = { kind: 'engine-netns', dir };
  }
  return { exists: true, isNamespace, isHost, owner };
}

/** Facts for every namespace the spec joins by path, keyed by that path. */
export function resolveNamespaceFacts(spec: Spec, ctx: NamespaceFactsContext): Record<string, JoinedNamespaceFacts> {
  const out: Record<string, JoinedNamespaceFacts> = {};
  for (const ns of spec.linux?.namespaces ?? []) {
    if (ns.path) out[ns.path] = joinedNamespaceFacts(ns.type, ns.path, ctx);
  }
  return out;
}
