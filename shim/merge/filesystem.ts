/**
 * Filesystem: read-only root, the bind-mount allow-list, masked and read-only /proc paths.
 * Merge policy:
 * A profile without a `filesystem` section changes nothing here, except that sensitive host
 * paths are refused whatever the profile (a floor, not a policy).
 * - root.readonly: OR (either side's true wins).
 * - mounts, keyed by destination: kernel filesystems (proc, sysfs, tmpfs, ...) pass; a host
 *   bind mount passes only when it is one of the engine's own per-container files
 *   (merge/engine-files.ts) or exactly one of the profile's allowedBindMounts, and then gets the
 *   profile's ro and nosuid/nodev/noexec; any other host mount is refused with its name.
 *   The profile's allowedBindMounts are added where the caller has not mounted them. A profile
 *   without allowedBindMounts allows no host binds at all (an allow-list, empty by default).
 *   Sensitive sources (SENSITIVE_SOURCES) are never allowed, whoever asks.
 * - maskedPaths, readonlyPaths: union of the caller's, Docker's defaults and the profile's.
 */
import { OpenclawError } from '../errors.js';
import type { SpecMount } from '../spec/types.js';
import type { ProfileBindMount } from '../profile/schema.js';
import type { MergeInputs, Modifier, PathFacts } from './types.js';
import { containerdStateOfBundle, engineFileOf, type EngineFileContext } from './engine-files.js';
import { callerEngine } from './caller.js';

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

export function isBindMount(m: SpecMount): boolean {
  return m.type === 'bind' || (m.options ?? []).some((o) => o === 'bind' || o === 'rbind');
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

export function makeFilesystemModifier(inputs: MergeInputs): Modifier {
  const section = inputs.profile.profile.spec.filesystem;
  const fs = section ?? {};
  const profileName = inputs.profile.profile.metadata.name;
  const profileFile = inputs.profile.path;
  const allowed: ProfileBindMount[] = fs.allowedBindMounts ?? [];

  return {
    name: 'filesystem',
    apply({ spec, hostActions }) {
      const kubernetes = callerEngine(spec) === 'kubernetes';
      const engineCtx: EngineFileContext = {
        containerId: inputs.containerId,
        annotations: spec.annotations ?? {},
        containerdStateFromBundle: containerdStateOfBundle(inputs.bundle),
        engines: inputs.config.engines,
        realRoots: inputs.host.engineRoots ?? {},
      };
      allowed.forEach((b, i) => {
        const reason = sensitiveReason(realOf(inputs.host.paths, b.source));
        if (reason) {
          throw new OpenclawError('profile', `bind source ${b.source} is ${reason}; such host paths are never mounted into a sandbox`, {
            file: profileFile,
            field: `spec.filesystem.allowedBindMounts[${i}].source`,
            fix: 'bind a dedicated directory (e.g. under /srv or /var/lib/openclaw) instead',
          });
        }
      });

      if (fs.readonlyRootfs) (spec.root ??= { path: 'rootfs' }).readonly = true;

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
          const list = allowed.map((b) => `${b.source}:${b.destination}`).join(', ') || 'none';
          throw new OpenclawError('merge', `bind mount ${what} is not in profile "${profileName}"'s allowedBindMounts (${list})`, {
            file: inputs.specFile,
            field,
            fix: `${kubernetes ? `remove the hostPath volume for ${m.destination} from the pod spec` : 'remove the volume'}, or add {source: ${source}, destination: ${m.destination}} to spec.filesystem.allowedBindMounts in ${profileFile}`,
          });
        }
        m.options = hardenOptions(m.options ?? [], rule.readonly, rule.noexec);
        covered.add(m.destination);
      });

      if (!section) return;
      allowed.forEach((b, i) => {
        if (covered.has(b.destination)) return;
        const facts = inputs.host.paths[b.source];
        if (!facts?.exists) {
          if (!b.create) {
            throw new OpenclawError('merge', `bind source ${b.source} does not exist on this host`, {
              file: profileFile,
              field: `spec.filesystem.allowedBindMounts[${i}].source`,
              fix: `create ${b.source}, or set create: true for this bind`,
            });
          }
          hostActions.push({ kind: 'mkdir', path: b.source });
        } else if (facts.isDirectory === false && b.create) {
          throw new OpenclawError('merge', `bind source ${b.source} exists and is not a directory`, {
            file: profileFile,
            field: `spec.filesystem.allowedBindMounts[${i}].source`,
            fix: 'point the bind at a directory',
          });
        }
        (spec.mounts ??= mounts).push({
          destination: b.destination,
          type: 'bind',
          source: realOf(inputs.host.paths, b.source),
          options: hardenOptions(['rbind', 'rprivate'], b.readonly, b.noexec).concat(b.readonly ? [] : ['rw']),
        });
      });

      const linux = (spec.linux ??= {});
      linux.maskedPaths = union(linux.maskedPaths, DEFAULT_MASKED_PATHS, fs.maskedPaths);
      linux.readonlyPaths = union(linux.readonlyPaths, DEFAULT_READONLY_PATHS, fs.readonlyPaths);
    },
  };
}
