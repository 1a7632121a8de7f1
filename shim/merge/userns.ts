/**
 * User namespace id maps, and what a user namespace needs to start under an engine.
 * Merge policy:
 * - the caller's own maps are kept (Docker userns-remap, rootless) unless they map a
 *   container id to host root, which is refused;
 * - otherwise container ids 0..size-1 map to host ids host_id.. (config [userns]), uid and
 *   gid alike;
 * - net.ipv4.ping_group_range (Docker sets "0 2147483647") is narrowed to the mapped gids:
 *   the kernel rejects a range with unmapped ids inside the user namespace;
 * - a rootfs the mapped root cannot reach (Docker's /var/lib/docker is 0710) is bind-mounted
 *   under the state directory, whose directories are 0711, and root.path points there;
 * - the rootfs the shim would act on (bind it, create mount points in it) must be reached
 *   without symlinks through directories only root may change (host/safe-path.ts), or the
 *   create is refused: plain runc refuses a symlinked rootfs too;
 * - writable bind sources the shim creates are given to the mapped root (merge/filesystem.ts,
 *   which runs after this modifier and reads the maps from the spec); existing ones never are;
 * - mount points of the profile's binds that the image lacks are created from the host (the
 *   mapped root cannot create them in the image's root-owned directories);
 * - sysfs in a joined network namespace (a pod) becomes a read-only bind of /sys (sysfsInForeignNetns);
 *   /dev/mqueue of a joined ipc namespace is left out (mqueueInForeignIpc); both applied by
 *   userns-mounts.ts, after the filesystem modifier has judged the caller's binds.
 */
import { OpenclawError } from '../errors.js';
import type { Spec, SpecIdMapping } from '../oci/types.js';
import type { MergeInputs, Modifier } from './types.js';
import { wantsIsolation } from '../profile/namespaces.js';
import { originalRootfs, rootfsBindTarget, ROOTFS_SOURCE_ANNOTATION } from '../host/rootfs.js';

export const PING_GROUP_RANGE = 'net.ipv4.ping_group_range';

/**
 * sysfs in a user namespace whose network namespace it joined (a pod: containerd's CNI netns,
 * owned by the host's user namespace): the kernel refuses to mount sysfs there ("mount sysfs:
 * operation not permitted"; runc 1.1 has no fallback). The mount becomes a read-only
 * recursive bind of the runtime's /sys, which is what runc 1.2 falls back to. Recursive because
 * the kernel refuses a plain bind that would uncover what locked submounts hide (EINVAL, seen
 * here); the submounts keep their own flags, and the mapped root owns none of their files.
 * Its network entries are those of the host's netns (names of host interfaces are visible).
 */
export function sysfsInForeignNetns(spec: Spec): void {
  const ns = spec.linux?.namespaces ?? [];
  if (!ns.some((n) => n.type === 'network' && n.path)) return;
  for (const m of spec.mounts ?? []) {
    if (m.type !== 'sysfs') continue;
    m.type = 'bind';
    m.source = '/sys';
    const keep = (m.options ?? []).filter((o) => !['rw', 'ro', 'bind', 'rbind'].includes(o));
    m.options = ['rbind', 'rprivate', ...keep.filter((o) => o !== 'rprivate').filter((o) => !['nosuid', 'noexec', 'nodev'].includes(o)), 'nosuid', 'noexec', 'nodev', 'ro'];
  }
}

/**
 * /dev/mqueue of an ipc namespace joined by path (a pod's containers join the pause
 * container's) from a new user namespace: the kernel refuses the mount (the ipc namespace
 * belongs to another user namespace), so the mount is left out. mq_open and the other POSIX
 * message queue calls still work; only the filesystem view of the queues is missing.
 */
export function mqueueInForeignIpc(spec: Spec): void {
  const ns = spec.linux?.namespaces ?? [];
  if (!ns.some((n) => n.type === 'ipc' && n.path) || ns.some((n) => n.type === 'user' && n.path)) return;
  if (spec.mounts) spec.mounts = spec.mounts.filter((m) => m.type !== 'mqueue');
}

function mapsHostRoot(maps: SpecIdMapping[] | undefined): number {
  return (maps ?? []).findIndex((m) => m.hostID <= 0 && m.hostID + m.size > 0);
}

export function makeUsernsModifier(inputs: MergeInputs): Modifier {
  const mode = inputs.profile.profile.spec.isolation.namespaces?.user;
  const { host_id: hostId, size } = inputs.config.userns;
  return {
    name: 'userns',
    apply({ spec, hostActions }) {
      if (!wantsIsolation(mode)) return;
      const linux = (spec.linux ??= {});
      for (const key of ['uidMappings', 'gidMappings'] as const) {
        const maps = linux[key];
        if (maps && maps.length > 0) {
          const bad = mapsHostRoot(maps);
          if (bad !== -1) {
            throw new OpenclawError('merge', `maps container id ${maps[bad]!.containerID} to host root, which profile "${inputs.profile.profile.metadata.name}" forbids (spec.isolation.namespaces.user: ${mode})`, {
              file: inputs.specFile,
              field: `linux.${key}[${bad}]`,
              fix: 'map the container to an unprivileged host range, or remove the mappings and let the runtime choose them',
            });
          }
          continue;
        }
        linux[key] = [{ containerID: 0, hostID: hostId, size }];
      }
      const gidMaps = linux.gidMappings ?? [];
      const mappedGids = gidMaps.reduce((n, m) => Math.max(n, m.containerID + m.size), 0);

      const sysctl = linux.sysctl;
      if (sysctl && sysctl[PING_GROUP_RANGE] !== undefined) {
        const [lo, hi] = sysctl[PING_GROUP_RANGE].trim().split(/\s+/).map((v) => Number.parseInt(v, 10));
        const top = mappedGids - 1;
        if (lo === undefined || hi === undefined || Number.isNaN(lo) || Number.isNaN(hi) || lo > top) {
          // Nothing of the caller's range is mapped: no group may ping (the kernel default).
          sysctl[PING_GROUP_RANGE] = '1 0';
        } else {
          sysctl[PING_GROUP_RANGE] = `${lo} ${Math.min(hi, top)}`;
        }
      }

      const root = spec.root;
      const rootfs = originalRootfs(spec, inputs.bundle, inputs.config.state.dir);
      if (root && rootfs && inputs.host.rootfsUnsafe) {
        throw new OpenclawError('merge', `the rootfs ${rootfs} is not safe for the shim to act on: ${inputs.host.rootfsUnsafe}, so another user could swap it before runc uses it`, {
          file: inputs.specFile,
          field: 'root.path',
          fix: 'point root.path at the rootfs directory itself (not a symlink), in a bundle whose parent directories only root may write',
        });
      }
      if (root && rootfs) {
        for (const path of inputs.host.missingMountpoints) hostActions.push({ kind: 'mountpoint', rootfs, path });
        for (const path of inputs.host.missingFileMountpoints ?? []) hostActions.push({ kind: 'mountpoint', rootfs, path, file: true });
      }
      if (root && !inputs.host.rootfsSelfTraversable) {
        throw new OpenclawError('merge', `the rootfs ${root.path} cannot be entered by the container's mapped root (host uid ${hostId}): the directory has no search permission for others`, {
          file: inputs.specFile,
          field: 'root.path',
          fix: 'chmod o+x (e.g. 0755) the rootfs directory, or choose a profile without a user namespace',
        });
      }
      if (root && rootfs && !inputs.host.rootfsTraversableByOthers) {
        const target = rootfsBindTarget(inputs.config.state.dir, inputs.containerId);
        hostActions.push({ kind: 'bind-rootfs', source: rootfs, target });
        root.path = target;
        (spec.annotations ??= {})[ROOTFS_SOURCE_ANNOTATION] = rootfs;
      }
    },
  };
}
