/**
 * The factory side of the merge: reads from the host everything the modifiers need, so the
 * modifiers themselves stay pure. Only what the profile and spec make relevant is read.
 */
import { lstatSync, readdirSync, readFileSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { Spec } from '../oci/types.js';
import type { Profile } from '../profile/schema.js';
import { inspectPath, whyNotRootOnly } from './safe-path.js';
import type { RuntimeConfig } from '../config/schema.js';
import { resolveEngineFacts } from './engine-facts.js';
import type { CgroupFacts, DeviceNode, ExecutableFacts, HostFacts, PathFacts } from './types.js';
import { hookFactsWanted } from '../oci/hooks.js';
import { parseCgroupsPath } from '../oci/cgroups-path.js';
import { concreteBinds } from '../profile/binds.js';
import { isBindMount } from '../oci/mounts.js';
import { wantsIsolation } from '../profile/namespaces.js';
import { originalRootfs } from './rootfs.js';

/** Whether something is at `path` (a dangling symlink counts). */
export function lexists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * What the merge needs to know about a host path, found without following symlinks; `unsafe`
 * says why another user could replace it (host/safe-path.ts). realPath is kept only to
 * recognise engine files and sensitive paths behind a link (refusing more, never mounting it).
 */
export function pathFacts(path: string): PathFacts {
  const info = inspectPath(path);
  let realPath: string | undefined;
  try {
    realPath = realpathSync(path);
  } catch {
    /* missing or dangling */
  }
  const st = info.stat;
  return {
    exists: info.exists,
    ...(realPath !== undefined ? { realPath } : {}),
    ...(st ? { isDirectory: st.isDirectory(), uid: st.uid, gid: st.gid, mode: st.mode & 0o7777 } : {}),
    ...(info.unsafe ? { unsafe: info.unsafe } : {}),
    ...(info.missingUnderSharedDir ? { missingUnderSharedDir: info.missingUnderSharedDir } : {}),
  };
}

/** Linux dev_t split (glibc major()/minor()). */
export function devMajorMinor(rdev: bigint): { major: number; minor: number } {
  const major = Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn));
  const minor = Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn));
  return { major, minor };
}

export function readNvidiaDevices(devDir = '/dev'): DeviceNode[] {
  let names: string[];
  try {
    names = readdirSync(devDir).filter((n) => n.startsWith('nvidia'));
  } catch {
    return [];
  }
  const out: DeviceNode[] = [];
  for (const name of names.sort()) {
    const path = join(devDir, name);
    try {
      const st = lstatSync(path, { bigint: true });
      if (!st.isCharacterDevice() && !st.isBlockDevice()) continue;
      const { major, minor } = devMajorMinor(st.rdev);
      out.push({
        path: join('/dev', name),
        type: st.isCharacterDevice() ? 'c' : 'b',
        major,
        minor,
        fileMode: Number(st.mode & 0o777n),
        uid: Number(st.uid),
        gid: Number(st.gid),
      });
    } catch {
      /* vanished while listing */
    }
  }
  return out;
}

export interface HostFactsContext {
  bundle: string;
  stateDir: string;
  /** config [jobs] dir: where perContainer bind sources live. */
  jobsDir: string;
  containerId: string;
  /** The runtime config and runc's --root, for the engine facts (namespaces joined by path, engine roots). */
  engine?: { config: RuntimeConfig; runcRoot: string };
}

/**
 * Whether only root can change what `path` names (host/safe-path.ts whyNotRootOnly: root's
 * symlinks in root-only directories, then a real path of root-only directories), and it is a
 * regular file (a directory when `dir`).
 */
export function rootOnlyPath(path: string, dir = false): boolean {
  if (!isAbsolute(path)) return false;
  try {
    const st = statSync(path);
    if (dir ? !st.isDirectory() : !st.isFile()) return false;
  } catch {
    return false;
  }
  return whyNotRootOnly(path) === undefined;
}

const PROC_EXE_RE = /^\/proc\/([1-9][0-9]*)\/exe$/;
const DELETED_SUFFIX = ' (deleted)';

/** Facts about a hook's executable; /proc/<pid>/exe (Docker's setkey hook) is the process's binary. */
export function executableFacts(path: string, procDir = '/proc'): ExecutableFacts {
  const m = PROC_EXE_RE.exec(path);
  if (!m) {
    let realPath: string | undefined;
    try {
      realPath = realpathSync(path);
    } catch {
      /* missing */
    }
    return { realPath, rootOnly: rootOnlyPath(path) };
  }
  const pidDir = join(procDir, m[1]!);
  try {
    const uids = /^Uid:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/m.exec(readFileSync(join(pidDir, 'status'), 'utf8'));
    const processIsRoot = uids !== null && uids.slice(1).every((u) => u === '0');
    let realPath = readlinkSync(join(pidDir, 'exe'));
    const deleted = realPath.endsWith(DELETED_SUFFIX);
    if (deleted) realPath = realPath.slice(0, -DELETED_SUFFIX.length);
    // The inode the process runs (still there when the file was replaced by an upgrade).
    const st = statSync(join(pidDir, 'exe'));
    const inodeRootOnly = st.isFile() && st.uid === 0 && (st.mode & 0o022) === 0;
    return { realPath, processIsRoot, rootOnly: inodeRootOnly && (deleted || rootOnlyPath(realPath)) };
  } catch {
    return { rootOnly: false, processIsRoot: false };
  }
}

/** The mounted cgroup hierarchies: the v2 root, or every v1 controller (and the hybrid unified) directory. */
function cgroupRoots(base = '/sys/fs/cgroup'): string[] {
  try {
    statSync(join(base, 'cgroup.controllers'));
    return [base];
  } catch {
    /* v1 or hybrid */
  }
  try {
    return readdirSync(base, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => join(base, d.name));
  } catch {
    return [];
  }
}

/** Whether the cgroup `path` (absolute, cgroupfs) exists with processes or children in any hierarchy. */
export function cgroupFacts(path: string, base = '/sys/fs/cgroup'): CgroupFacts {
  const out: CgroupFacts = { occupied: false, hasChildren: false };
  for (const root of cgroupRoots(base)) {
    const dir = join(root, path);
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    if (entries.some((e) => e.isDirectory())) out.hasChildren = true;
    try {
      if (readFileSync(join(dir, 'cgroup.procs'), 'utf8').trim() !== '') out.occupied = true;
    } catch {
      /* not a cgroup directory */
    }
  }
  return out;
}

function cgroupFactsFor(spec: Spec): CgroupFacts | undefined {
  const path = spec.linux?.cgroupsPath;
  if (typeof path !== 'string' || path === '') return undefined;
  const parsed = parseCgroupsPath(path);
  if (parsed.kind !== 'cgroupfs' || !parsed.absolute || parsed.components.length === 0) return undefined;
  if (parsed.components.some((c) => c === '' || c === '.' || c === '..')) return undefined; // refused by the modifier
  return cgroupFacts('/' + parsed.components.join('/'));
}

export function resolveHostFacts(spec: Spec, profile: Profile, ctx: HostFactsContext): HostFacts {
  const paths: Record<string, PathFacts> = {};
  for (const m of spec.mounts ?? []) {
    if (isBindMount(m) && m.source && isAbsolute(m.source)) paths[m.source] = pathFacts(m.source);
  }
  const binds = profile.spec.filesystem?.allowedBindMounts ?? [];
  for (const b of concreteBinds(binds, ctx.jobsDir, ctx.containerId)) paths[b.source] ??= pathFacts(b.source);
  const gpus = profile.spec.devices?.gpus;
  const wantsUserns = wantsIsolation(profile.spec.isolation.namespaces?.user);
  const rootfs = originalRootfs(spec, ctx.bundle, ctx.stateDir);
  // Only a user namespace makes the shim act on the rootfs (bind it, create mount points).
  const rootfsInfo = wantsUserns && rootfs !== undefined ? inspectPath(rootfs) : undefined;
  const rootfsUsable = rootfsInfo !== undefined && rootfsInfo.unsafe === undefined;
  const missingMountpoints = !rootfsUsable || rootfs === undefined
    ? []
    : binds.map((b) => b.destination).filter((d) => !lexists(join(rootfs, d)));
  const wanted = hookFactsWanted(spec);
  const missingFileMountpoints = !rootfsUsable || rootfs === undefined
    ? []
    : (spec.mounts ?? []).filter((m) => isBindMount(m) && m.source && paths[m.source]?.exists && paths[m.source]?.isDirectory === false && !lexists(join(rootfs, m.destination))).map((m) => m.destination);
  return {
    missingFileMountpoints,
    ...(ctx.engine ? resolveEngineFacts(spec, ctx.engine.config, ctx.bundle, ctx.engine.runcRoot) : {}),
    hookExecutables: Object.fromEntries(wanted.executables.map((p) => [p, executableFacts(p)])),
    rootOnlyDirs: Object.fromEntries(wanted.dirs.map((d) => [d, rootOnlyPath(d, true)])),
    cgroup: cgroupFactsFor(spec),
    missingMountpoints,
    nvidiaDevices: gpus !== undefined && gpus !== 'none' ? readNvidiaDevices() : [],
    paths,
    rootfsTraversableByOthers: rootfsInfo === undefined || rootfsInfo.unsafe !== undefined || rootfsInfo.traversableByOthers,
    // runc reports a missing rootfs itself.
    rootfsSelfTraversable: rootfsInfo?.stat === undefined || (rootfsInfo.stat.mode & 0o001) !== 0,
    ...(rootfsInfo?.unsafe ? { rootfsUnsafe: rootfsInfo.unsafe } : {}),
  };
}
