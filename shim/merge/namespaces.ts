/**
 * Namespaces. Merge policy: union keyed by type, tighten only.
 * - profile `isolated` and the spec already has a private namespace of that type: kept.
 * - profile `isolated` and the spec joins an existing one (`path` set): kept only when the host
 *   facts (host/namespace-facts.ts) show it is a namespace, not the host's, and owned by the same
 *   engine (a container's init in the same runc root, or the engine's netns directory): that is
 *   how a pod's containers share the pause container's namespaces and how containerd's CRI
 *   plugin hands the pod's CNI netns to the pause container. Anything else is refused.
 * - profile `isolated` and the spec has none: for types an engine always includes unless the
 *   user asked to share the host's (pid, network, ipc, uts, mount), absence means "host" and
 *   is refused, not silently changed; for types engines leave out by default (cgroup, user)
 *   the namespace is added.
 * - a user namespace is always a new one here, also in a pod: runc 1.1 joins a user namespace
 *   before the others, and from inside the pause container's user namespace it may not join
 *   the pod's netns, which containerd 1.6 made in the host's ("can't get final child's PID
 *   from pipe: EOF", seen). Every container of a pod gets the same mapping ([userns]).
 * - `inherit` (or unset): the caller's choice stands.
 * The user namespace's id maps are the userns modifier's job.
 */
import { OpenclawError } from '../errors.js';
import type { NamespaceType, SpecNamespace } from '../oci/types.js';
import type { ProfileNamespaces } from '../profile/schema.js';
import type { MergeInputs, Modifier } from './types.js';
import { callerEngine, type Engine } from '../oci/caller.js';
import { wantsIsolation } from '../profile/namespaces.js';

interface NamespaceRule {
  /** Key in the profile's spec.isolation.namespaces. */
  profileKey: keyof ProfileNamespaces;
  /** Whether a spec without this namespace means the caller asked to share the host's. */
  absentMeansHost: boolean;
  /** What a caller would have asked for to end up sharing the host's, in its own terms. */
  hostOption: Record<Engine, string>;
}

const flag = (f: string): Record<Engine, string> => ({ other: f, podman: f, kubernetes: f });

export const NAMESPACE_RULES: Record<NamespaceType, NamespaceRule> = {
  pid: { profileKey: 'pid', absentMeansHost: true, hostOption: { ...flag('--pid host'), kubernetes: 'hostPID: true in the pod spec' } },
  network: { profileKey: 'network', absentMeansHost: true, hostOption: { ...flag('--network host'), kubernetes: 'hostNetwork: true in the pod spec' } },
  ipc: { profileKey: 'ipc', absentMeansHost: true, hostOption: { ...flag('--ipc host'), kubernetes: 'hostIPC: true in the pod spec' } },
  uts: { profileKey: 'uts', absentMeansHost: true, hostOption: { ...flag('--uts host'), kubernetes: 'hostNetwork: true in the pod spec (the pod shares the node\'s hostname)' } },
  mount: { profileKey: 'mount', absentMeansHost: true, hostOption: flag('a spec without a mount namespace') },
  cgroup: { profileKey: 'cgroup', absentMeansHost: false, hostOption: flag('--cgroupns host') },
  user: { profileKey: 'user', absentMeansHost: false, hostOption: { ...flag('--userns host'), kubernetes: 'hostUsers: true in the pod spec' } },
};

/** Why a joined namespace is not an isolated one, or undefined when it is. */
function notIsolatedReason(inputs: MergeInputs, path: string): string | undefined {
  const facts = inputs.host.namespaces?.[path];
  if (!facts) return 'nothing is known about it';
  if (!facts.exists) return 'it does not exist or cannot be read';
  if (!facts.isNamespace) return 'it is not a namespace file';
  if (facts.isHost) return 'it is the host\'s own namespace';
  if (!facts.owner) return 'it belongs neither to a container of this engine (same runc root) nor to the engine\'s network-namespace directory';
  return undefined;
}

export function makeNamespacesModifier(inputs: MergeInputs): Modifier {
  const wanted = inputs.profile.profile.spec.isolation.namespaces ?? {};
  const profileFile = inputs.profile.path;
  const profileName = inputs.profile.profile.metadata.name;
  return {
    name: 'namespaces',
    apply({ spec }) {
      const engine = callerEngine(spec);
      const linux = (spec.linux ??= {});
      const namespaces: SpecNamespace[] = (linux.namespaces ??= []);
      for (const [type, rule] of Object.entries(NAMESPACE_RULES) as Array<[NamespaceType, NamespaceRule]>) {
        const mode = wanted[rule.profileKey];
        if (!wantsIsolation(mode)) continue;
        const index = namespaces.findIndex((ns) => ns.type === type);
        const existing = index === -1 ? undefined : namespaces[index];
        if (existing?.path) {
          const reason = notIsolatedReason(inputs, existing.path);
          if (reason === undefined) continue;
          throw new OpenclawError(
            'merge',
            `joins the existing ${type} namespace ${existing.path}, which is not an isolated one (${reason}), but profile "${profileName}" (${profileFile}) requires an isolated one (spec.isolation.namespaces.${rule.profileKey}: ${mode})`,
            {
              file: inputs.specFile,
              field: `linux.namespaces[${index}]`,
              fix: engine === 'kubernetes'
                ? `remove ${rule.hostOption.kubernetes.replace(/ in the pod spec.*/, '')} (or any host namespace) from the pod spec, or use a RuntimeClass whose profile's ${rule.profileKey} namespace is "inherit"`
                : `run the container without sharing its ${type} namespace, or choose a profile whose ${rule.profileKey} namespace is "inherit"`,
            },
          );
        }
        if (existing) continue;
        if (rule.absentMeansHost) {
          const host = rule.hostOption[engine];
          throw new OpenclawError(
            'merge',
            `has no ${type} namespace, so the container would share the host's (${host}), but profile "${profileName}" (${profileFile}) requires an isolated one (spec.isolation.namespaces.${rule.profileKey}: ${mode})`,
            {
              file: inputs.specFile,
              field: 'linux.namespaces',
              fix: engine === 'kubernetes'
                ? `remove ${host.replace(/ in the pod spec.*/, '')} from the pod spec, or use a RuntimeClass whose profile's ${rule.profileKey} namespace is "inherit"`
                : `drop ${host} from the container's options, or choose a profile whose ${rule.profileKey} namespace is "inherit"`,
            },
          );
        }
        namespaces.push({ type });
      }
    },
  };
}
