/**
 * The factory side of the merge: reads from the host everything the modifiers need, so the
 * modifiers themselves stay pure. Only what the profile and spec make relevant is read.
 */
import { lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Spec } from '../spec/types.js';
import type { Profile } from '../profile/schema.js';
import type { DeviceNode, HostFacts, PathFacts } from '../merge/types.js';
import { isBindMount } from '../merge/filesystem.js';
import { wantsIsolation } from '../merge/namespaces.js';
import { originalRootfs } from '../merge/userns.js';
import type { RuntimeConfig } from '../config/schema.js';
import { resolveEngineFacts } from './engine-facts.js';

function lexists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

export function pathFacts(path: string): PathFacts {
  try {
    const st = statSync(path);
    return { exists: true, realPath: realpathSync(path), isDirectory: st.isDirectory(), uid: st.uid, gid: st.gid };
  } catch {
    return { exists: false };
  }
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

function searchableByOthers(dir: string): boolean {
  try {
    return (statSync(dir).mode & 0o001) !== 0;
  } catch {
    return true; // runc reports a missing rootfs itself
  }
}

/** Whether "other" may search every directory from / down to `dir` (what a mapped root needs). */
export function traversableByOthers(dir: string): boolean {
  let cur = dir;
  for (;;) {
    try {
      if ((statSync(cur).mode & 0o001) === 0) return false;
    } catch {
      return false;
    }
    const parent = dirname(cur);
    if (parent === cur) return true;
    cur = parent;
  }
}

/** `engine`: the runtime config and runc's --root, for the engine facts (namespaces joined by path, engine roots). */
export function resolveHostFacts(spec: Spec, profile: Profile, bundle: string, stateDir: string, engine?: { config: RuntimeConfig; runcRoot: string }): HostFacts {
  const paths: Record<string, PathFacts> = {};
  for (const m of spec.mounts ?? []) {
    if (isBindMount(m) && m.source && isAbsolute(m.source)) paths[m.source] = pathFacts(m.source);
  }
  for (const b of profile.spec.filesystem?.allowedBindMounts ?? []) paths[b.source] = pathFacts(b.source);
  const gpus = profile.spec.devices?.gpus;
  const wantsUserns = wantsIsolation(profile.spec.isolation.namespaces?.user);
  const rootfs = originalRootfs(spec, bundle, stateDir);
  const missingMountpoints = !wantsUserns || rootfs === undefined
    ? []
    : (profile.spec.filesystem?.allowedBindMounts ?? []).map((b) => b.destination).filter((d) => !lexists(join(rootfs, d)));
  const missingFileMountpoints = !wantsUserns || rootfs === undefined
    ? []
    : (spec.mounts ?? []).filter((m) => isBindMount(m) && m.source && paths[m.source]?.exists && paths[m.source]?.isDirectory === false && !lexists(join(rootfs, m.destination))).map((m) => m.destination);
  return {
    missingFileMountpoints,
    ...(engine ? resolveEngineFacts(spec, engine.config, bundle, engine.runcRoot) : {}),
    missingMountpoints,
    nvidiaDevices: gpus !== undefined && gpus !== 'none' ? readNvidiaDevices() : [],
    paths,
    rootfsTraversableByOthers: !wantsUserns || rootfs === undefined || traversableByOthers(rootfs),
    rootfsSelfTraversable: !wantsUserns || rootfs === undefined || searchableByOthers(rootfs),
  };
}
