/**
 * Filesystem: read-only root, the bind-mount allow-list, masked and read-only /proc paths.
 * Merge policy:
 * A profile without a `filesystem` section changes nothing here, except that sensitive host
 * paths are refused whatever the profile (a floor, not a policy).
 * - root.readonly: OR (either side's true wins).
 * - mounts, keyed by destination: kernel filesystems (proc, sysfs, tmpfs, ...) pass; a host
 *   bind mount passes only when it is one of the engine's own per-container files
 *   (merge/engine-files.ts) or exactly one of the profile's allowedBindMounts, and then gets the
 *   profile's ro and nosuid/nodev/noexec; else when the runtime config's [[binds.allowed]]
 *   (the admin's) lists its source for this profile, and then gets that entry's ro and
 *   nosuid/nodev/noexec; any other host mount is refused with its name, the volume flag that
 *   made it and both places it could be allowed.
 *   The profile's allowedBindMounts are added where the caller has not mounted them. A profile
 *   without allowedBindMounts allows no host binds at all (an allow-list, empty by default).
 *   Sensitive sources (SENSITIVE_SOURCES) are never allowed, whoever asks.
 * - a bind source another user could swap before runc mounts it (a symlink on the way, a
 *   directory on the way that someone other than root may write: host/safe-path.ts) is
 *   refused, for the profile's binds and for a caller's bind that matches one of them or a
 *   [[binds.allowed]] entry (the admin trusts the directory, not whoever can write above it). runc is
 *   handed the path as checked, never a symlink's target.
 * - perContainer binds get a source of their own, <jobs.dir>/<container id>/<name>: writable
 *   ones 0700 owned by the container's root (the mapped ids under a user namespace), read-only
 *   ones 0750 root with the container's root group. The shim creates them; they outlive the
 *   container until `openclaw-runtime jobs prune`.
 * - an existing fixed source is never chowned or chmodded; a missing one with `create: true`
 *   is created, writable ones owned by the container's root (never inside a directory other
 *   users may write, such as /tmp: its owner could rename it away).
 * - maskedPaths, readonlyPaths: union of the caller's, Docker's defaults and the profile's.
 */
import { OpenclawError } from '../errors.js';
import type { Spec, SpecMount } from '../oci/types.js';
import type { BindAllow } from '../config/schema.js';
import { DEFAULT_CONFIG_PATH } from '../config/defaults.js';
import type { MergeInputs, Modifier } from './types.js';
import { engineFileOf, type EngineFileContext } from './engine-files.js';
import { callerEngine } from '../oci/caller.js';
import type { HostAction, PathFacts } from '../host/types.js';
import { containerdStateOfBundle } from '../oci/bundle.js';
import { concreteBinds, type ConcreteBind } from '../profile/binds.js';
import { validContainerId } from '../oci/container-id.js';
import { isBindMount } from '../oci/mounts.js';

/** Host paths that no bind mount may expose, themselves or anything below them. */
export const SENSITIVE_SOURCES: readonly string[] = [
  '/etc', '/proc', '/sys', '/dev', '/boot', '/root', '/run', '/var/run',
  // the engines' data roots hold every other container's files and secrets
  '/var/lib/docker', '/var/lib/containerd', '/var/lib/kubelet',
];

/** Sockets that hand out the host: refused wherever they live. */
const SENSITIVE_BASENAMES = new Set(['docker.sock', 'containerd.sock', 'crio.sock', 'podman.sock']);

/** Kernel filesystems an engine mounts into every container; no host path behind them. */
export const KERNEL_FS_TYPES = new Set(['proc', 'sysfs', 'tmpfs', 'devpts', 'mqueue', 'cgroup', 'cgroup2', 'shm', 'devtmpfs']);

/** Docker's defaults (moby oci/defaults.go), the floor for every container. */
export const DEFAULT_MASKED_PATHS = [
  '/proc/asound', '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware',
];
export const DEFAULT_READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/** Host uid and gid of the container's root: the mapped ids under a user namespace, else 0. */
export function containerRootIds(spec: Spec): { uid: number; gid: number } {
  const linux = spec.linux;
  if (!(linux?.namespaces ?? []).some((n) => n.type === 'user')) return { uid: 0, gid: 0 };
  const uid = (linux?.uidMappings ?? []).find((m) => m.containerID === 0)?.hostID ?? 0;
  const gid = (linux?.gidMappings ?? []).find((m) => m.containerID === 0)?.hostID ?? 0;
  return { uid, gid };
}

export function sensitiveReason(path: string): string | undefined {
  if (path === '/') return 'the host root';
  const base = path.split('/').pop() ?? '';
  if (SENSITIVE_BASENAMES.has(base)) return `an engine socket (${base})`;
  const hit = SENSITIVE_SOURCES.find((s) => path === s || path.startsWith(s + '/'));
  return hit ? `under ${hit}` : undefined;
}

function realOf(facts: Record<string, PathFacts>, path: string): string {
  return facts[path]?.realPath ?? path;
}

function hardenOptions(options: readonly string[], readonly: boolean, noexec: boolean): string[] {
  const out = options.filter((o) => !(readonly && o === 'rw'));
  const add = ['nosuid', 'nodev', ...(noexec ? ['noexec'] : []), ...(readonly ? ['ro'] : [])];
  for (const o of add) if (!out.includes(o)) out.push(o);
  // A caller's "ro" stays even when the profile allows writing (tighten only).
  return out;
}

function union(...lists: ReadonlyArray<readonly string[] | undefined>): string[] {
  const out: string[] = [];
  for (const list of lists) for (const p of list ?? []) if (!out.includes(p)) out.push(p);
  return out;
}

/** The [[binds.allowed]] entry (and its index) that lets a caller bind `source` at `destination` under `profile`. */
export function configBindFor(entries: readonly BindAllow[], profile: string, source: string, destination: string): { entry: BindAllow; index: number } | undefined {
  const index = entries.findIndex((e) =>
    e.profiles.includes(profile) &&
    (e.destination === undefined || e.destination === destination) &&
    (source === e.source || (e.subdirectories && source.startsWith(e.source + '/'))));
  return index < 0 ? undefined : { entry: entries[index]!, index };
}

/** A caller's source as a plain absolute path (what [[binds.allowed]] compares), or undefined. */
function plainSource(source: string): string | undefined {
  if (!source.startsWith('/')) return undefined;
  const parts = source.split('/').filter((c) => c !== '' && c !== '.');
  if (parts.includes('..')) return undefined;
  return '/' + parts.join('/');
}

const SAFE_SOURCE_FIX = 'use a directory whose every parent is owned by root and writable by nobody else, with no symlink on the way (e.g. under /srv or /var/lib/openclaw), or a perContainer bind';

export function makeFilesystemModifier(inputs: MergeInputs): Modifier {
  const section = inputs.profile.profile.spec.filesystem;
  const fs = section ?? {};
  const profileName = inputs.profile.profile.metadata.name;
  const profileFile = inputs.profile.path;
  const jobsDir = inputs.config.jobs.dir;
  const allowed: ConcreteBind[] = concreteBinds(fs.allowedBindMounts ?? [], jobsDir, inputs.containerId);
  const configFile = inputs.configFile ?? DEFAULT_CONFIG_PATH;
  const adminBinds = inputs.config.binds?.allowed ?? [];
  const sourceField = (i: number) => `spec.filesystem.allowedBindMounts[${i}].${allowed[i]!.perContainer !== undefined ? 'perContainer' : 'source'}`;

  return {
    name: 'filesystem',
    apply({ spec, hostActions }) {
      if (allowed.some((b) => b.perContainer !== undefined) && !validContainerId(inputs.containerId)) {
        throw new OpenclawError('merge', `container id "${inputs.containerId}" cannot name a directory of its own under ${jobsDir} (profile "${profileName}" has perContainer binds)`, {
          file: profileFile,
          field: sourceField(allowed.findIndex((b) => b.perContainer !== undefined)),
          fix: 'use a container id of letters, digits, _, +, - and . only (what runc accepts)',
        });
      }
      const kubernetes = callerEngine(spec) === 'kubernetes';
      const engineCtx: EngineFileContext = {
        containerId: inputs.containerId,
        annotations: spec.annotations ?? {},
        containerdStateFromBundle: containerdStateOfBundle(inputs.bundle),
        engines: inputs.config.engines,
        realRoots: inputs.host.engineRoots ?? {},
      };
      allowed.forEach((b, i) => {
        const facts = inputs.host.paths[b.source];
        if (facts?.unsafe) {
          const where = b.perContainer !== undefined ? ` (the container's own directory under jobs.dir ${jobsDir})` : '';
          throw new OpenclawError('profile', `bind source ${b.source}${where} is not safe to mount: ${facts.unsafe}, so another user could swap it for a symlink to any host directory before runc mounts it`, {
            file: profileFile,
            field: sourceField(i),
            fix: b.perContainer !== undefined ? 'set [jobs] dir in the openclaw config to a directory whose every parent is owned by root and writable by nobody else (the default /var/lib/openclaw/jobs)' : SAFE_SOURCE_FIX,
          });
        }
        const reason = sensitiveReason(realOf(inputs.host.paths, b.source));
        if (reason) {
          throw new OpenclawError('profile', `bind source ${b.source} is ${reason}; such host paths are never mounted into a sandbox`, {
            file: profileFile,
            field: sourceField(i),
            fix: 'bind a dedicated directory (e.g. under /srv or /var/lib/openclaw) instead',
          });
        }
      });

      if (fs.readonlyRootfs) (spec.root ??= { path: 'rootfs' }).readonly = true;

      // A bundle merged before for another container id carries that container's own
      // directories: they are replaced by this container's (never mounted into a second job).
      const ownSources = new Map(allowed.filter((b) => b.perContainer !== undefined).map((b) => [b.destination, b.source]));
      if (spec.mounts && ownSources.size > 0) {
        spec.mounts = spec.mounts.filter((m) => !(isBindMount(m) && ownSources.has(m.destination) && m.source !== ownSources.get(m.destination) && m.source?.startsWith(jobsDir + '/')));
      }

      // The sensitive-source floor holds for every profile; the allow-list and the /proc
      // masks only for profiles that have a filesystem section (an empty profile changes nothing).
      const mounts: SpecMount[] = spec.mounts ?? [];
      const covered = new Set<string>();
      mounts.forEach((m, i) => {
        const field = `mounts[${i}]`;
        const what = `${m.type ?? 'bind'} ${m.source ?? '(none)'} -> ${m.destination}`;
        if (!isBindMount(m)) {
          if (!section || (m.type !== undefined && KERNEL_FS_TYPES.has(m.type))) return;
          throw new OpenclawError('merge', `mount ${what} is not a kernel filesystem or an allowed bind mount; profile "${profileName}" allows only ${[...KERNEL_FS_TYPES].join(', ')} and its allowedBindMounts`, {
            file: inputs.specFile,
            field,
            fix: `remove the mount, or add a bind of a host directory to spec.filesystem.allowedBindMounts in ${profileFile}`,
          });
        }
        const source = m.source ?? '';
        const real = realOf(inputs.host.paths, source);
        const engineFile = engineFileOf(m.destination, real, engineCtx);
        if (engineFile) {
          // Data files: never setuid, devices or (but for pod volumes) programs. In a user
          // namespace these flags are locked on the source mount (containerd's shm tmpfs), and a
          // read-only remount without them fails with EPERM.
          if (section) m.options = hardenOptions(m.options ?? [], false, engineFile.executable !== true);
          return;
        }
        const reason = sensitiveReason(real);
        if (reason) {
          throw new OpenclawError('merge', `bind mount ${what} exposes ${real}, which is ${reason}; profile "${profileName}" never allows it`, {
            file: inputs.specFile,
            field,
            fix: kubernetes
              ? `remove the hostPath volume for ${m.destination} from the pod spec; use an emptyDir or a dedicated directory the profile allows`
              : 'remove this volume (-v/--mount) from the container; mount a dedicated directory instead',
          });
        }
        if (!section) return;
        const index = allowed.findIndex((b) => b.destination === m.destination && realOf(inputs.host.paths, b.source) === real);
        const rule = allowed[index];
        if (!rule) {
          const plain = plainSource(source);
          const admin = plain === undefined ? undefined : configBindFor(adminBinds, profileName, plain, m.destination);
          if (!admin) {
            const list = allowed.map((b) => `${b.source}:${b.destination}`).join(', ') || 'none';
            const volume = kubernetes ? `the hostPath volume for ${m.destination} (pod spec)` : `the volume (docker run -v ${source}:${m.destination}, or --mount type=bind,source=${source},target=${m.destination})`;
            throw new OpenclawError('merge', `bind mount ${what} is not allowed under profile "${profileName}": neither the profile's spec.filesystem.allowedBindMounts (${list}) nor binds.allowed in ${configFile} lists ${source}`, {
              file: inputs.specFile,
              field,
              fix: `remove ${volume}; or have the host's admin allow the directory in ${configFile}: [[binds.allowed]] source = "${plain ?? source}", readonly = true (false for read-write), profiles = ["${profileName}"]; or add it to spec.filesystem.allowedBindMounts of a profile of your own in /etc/openclaw/profiles`,
            });
          }
          // The admin's entry: the source must still be one only root can change.
          const adminField = `binds.allowed[${admin.index}].source`;
          const facts = inputs.host.paths[source];
          const why = facts === undefined ? 'it was not examined' : facts.unsafe ?? (facts.realPath !== undefined && facts.realPath !== plain ? `it resolves to ${facts.realPath}` : undefined);
          if (why) {
            throw new OpenclawError('merge', `bind mount ${what} matches ${adminField} in ${configFile} but is not safe to mount: ${why}, so another user could swap it before runc mounts it`, {
              file: inputs.specFile,
              field,
              fix: `make every directory from / down to ${source} owned by root and writable by nobody else, with no symlink on the way (e.g. a per-job directory created by root under ${admin.entry.source}), or mount another directory`,
            });
          }
          // Not `covered`: a profile bind at the same destination is still added (mounted over it).
          m.options = hardenOptions(m.options ?? [], admin.entry.readonly, admin.entry.noexec);
          return;
        }
        // runc follows the caller's path itself: it must be as fixed as the profile's.
        const unsafe = inputs.host.paths[source]?.unsafe;
        if (unsafe) {
          throw new OpenclawError('merge', `bind mount ${what} is not safe to mount: ${unsafe}, so another user could swap it before runc mounts it`, {
            file: inputs.specFile,
            field,
            fix: `mount ${rule.source} itself (no symlink), or leave the volume out and let profile "${profileName}" add it`,
          });
        }
        m.options = hardenOptions(m.options ?? [], rule.readonly, rule.noexec);
        covered.add(m.destination);
      });

      if (!section) return;
      const owner = containerRootIds(spec);
      let jobPlanned = false;
      allowed.forEach((b, i) => {
        if (covered.has(b.destination)) return;
        const facts = inputs.host.paths[b.source];
        if (b.perContainer !== undefined) {
          if (!jobPlanned) {
            hostActions.push({ kind: 'job', jobsDir, id: inputs.containerId });
            jobPlanned = true;
          }
          hostActions.push(perContainerDir(b, owner));
        } else if (!facts?.exists) {
          if (!b.create) {
            throw new OpenclawError('merge', `bind source ${b.source} does not exist on this host`, {
              file: profileFile,
              field: sourceField(i),
              fix: `create ${b.source}, or set create: true for this bind`,
            });
          }
          const uid = b.readonly ? 0 : owner.uid;
          if (uid !== 0 && facts?.missingUnderSharedDir) {
            throw new OpenclawError('profile', `writable bind source ${b.source} would be created for the container's root (host uid ${uid}) inside ${facts.missingUnderSharedDir}, which other users may write: its owner could rename it away and put a symlink in its place`, {
              file: profileFile,
              field: sourceField(i),
              fix: `use perContainer: ${b.destination.split('/').filter(Boolean).pop() ?? 'output'} instead of source, or a source below a directory only root may write`,
            });
          }
          hostActions.push({ kind: 'mkdir', path: b.source, mode: 0o755, uid, gid: b.readonly ? 0 : owner.gid, parentMode: 0o755, reuse: 'any' });
        } else if (facts.isDirectory === false && b.create) {
          throw new OpenclawError('merge', `bind source ${b.source} exists and is not a directory`, {
            file: profileFile,
            field: sourceField(i),
            fix: 'point the bind at a directory',
          });
        }
        (spec.mounts ??= mounts).push({
          destination: b.destination,
          type: 'bind',
          // The path as checked (no symlink on the way), never a symlink's target.
          source: b.source,
          options: hardenOptions(['rbind', 'rprivate'], b.readonly, b.noexec).concat(b.readonly ? [] : ['rw']),
        });
      });

      const linux = (spec.linux ??= {});
      linux.maskedPaths = union(linux.maskedPaths, DEFAULT_MASKED_PATHS, fs.maskedPaths);
      linux.readonlyPaths = union(linux.readonlyPaths, DEFAULT_READONLY_PATHS, fs.readonlyPaths);
    },
  };
}

/**
 * A per-container source: writable ones the container's root's own (0700), read-only ones
 * root's with the container's root group (0750): the container reads them, cannot write them,
 * and other local users can do neither.
 */
function perContainerDir(b: ConcreteBind, owner: { uid: number; gid: number }): HostAction {
  return b.readonly
    ? { kind: 'mkdir', path: b.source, mode: 0o750, uid: 0, gid: owner.gid, parentMode: 0o711, reuse: 'root-owned' }
    : { kind: 'mkdir', path: b.source, mode: 0o700, uid: owner.uid, gid: owner.gid, parentMode: 0o711, reuse: 'same-owner' };
}
