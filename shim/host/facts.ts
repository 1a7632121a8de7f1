/**
 * The factory side of the merge: reads from the host everything the modifiers need, so the
 * modifiers themselves stay pure. Only what the profile and spec make relevant is read.
 */
import { lstatSync, readdirSync, realpathSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { Spec } from '../spec/types.js';
import type { Profile } from '../profile/schema.js';
import type { DeviceNode, HostFacts, PathFacts } from '../merge/types.js';
import { concreteBinds, isBindMount } from '../merge/filesystem.js';
import { inspectPath } from './safe-path.js';
import { wantsIsolation } from '../merge/namespaces.js';
import { originalRootfs } from '../merge/userns.js';

function lexists(path: string): boolean {
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
  return {
    missingMountpoints,
    nvidiaDevices: gpus !== undefined && gpus !== 'none' ? readNvidiaDevices() : [],
    paths,
    rootfsTraversableByOthers: rootfsInfo === undefined || rootfsInfo.unsafe !== undefined || rootfsInfo.traversableByOthers,
    // runc reports a missing rootfs itself.
    rootfsSelfTraversable: rootfsInfo?.stat === undefined || (rootfsInfo.stat.mode & 0o001) !== 0,
    ...(rootfsInfo?.unsafe ? { rootfsUnsafe: rootfsInfo.unsafe } : {}),
  };
}
