/**
 * Namespaces. Merge policy: union keyed by type, tighten only.
 * - profile `isolated` and the spec already has a private namespace of that type: kept.
 * - profile `isolated` and the spec joins an existing one (`path` set): refused.
 * - profile `isolated` and the spec has none: for types an engine always includes unless the
 *   user asked to share the host's (pid, network, ipc, uts, mount), absence means "host" and
 *   is refused, not silently changed; for types engines leave out by default (cgroup, user)
 *   the namespace is added.
 * - `inherit` (or unset): the caller's choice stands.
 * The user namespace's id maps are the userns modifier's job.
 */
import { OpenclawError } from '../errors.js';
import type { NamespaceType, SpecNamespace } from '../spec/types.js';
import type { ProfileNamespaces } from '../profile/schema.js';
import type { MergeInputs, Modifier } from './types.js';

interface NamespaceRule {
  /** Key in the profile's spec.isolation.namespaces. */
  profileKey: keyof ProfileNamespaces;
  /** Whether a spec without this namespace means the caller asked to share the host's. */
  absentMeansHost: boolean;
  /** What a user would have passed to end up sharing it, for the fix text. */
  hostFlag: string;
}

/** NOTE when adding a namespace type also update NamespaceType in spec/types.ts. */
export const NAMESPACE_RULES: Record<NamespaceType, NamespaceRule> = {
  pid: { profileKey: 'pid', absentMeansHost: true, hostFlag: '--pid host' },
  network: { profileKey: 'network', absentMeansHost: true, hostFlag: '--network host' },
  ipc: { profileKey: 'ipc', absentMeansHost: true, hostFlag: '--ipc host' },
  uts: { profileKey: 'uts', absentMeansHost: true, hostFlag: '--uts host' },
  mount: { profileKey: 'mount', absentMeansHost: true, hostFlag: 'a spec without a mount namespace' },
  cgroup: { profileKey: 'cgroup', absentMeansHost: false, hostFlag: '--cgroupns host' },
  user: { profileKey: 'user', absentMeansHost: false, hostFlag: '--userns host' },
};

export function wantsIsolation(mode: string | undefined): boolean {
  return mode !== undefined && mode !== 'inherit';
}

export function makeNamespacesModifier(inputs: MergeInputs): Modifier {
  const wanted = inputs.profile.profile.spec.isolation.namespaces ?? {};
  const profileFile = inputs.profile.path;
  return {
    name: 'namespaces',
    apply({ spec }) {
      const linux = (spec.linux ??= {});
      const namespaces: SpecNamespace[] = (linux.namespaces ??= []);
      for (const [type, rule] of Object.entries(NAMESPACE_RULES) as Array<[NamespaceType, NamespaceRule]>) {
        const mode = wanted[rule.profileKey];
        if (!wantsIsolation(mode)) continue;
        const index = namespaces.findIndex((ns) => ns.type === type);
        const existing = index === -1 ? undefined : namespaces[index];
        if (existing?.path) {
          throw new OpenclawError(
            'merge',
            `joins the existing ${type} namespace ${existing.path}, but profile "${inputs.profile.profile.metadata.name}" (${profileFile}) requires an isolated one (spec.isolation.namespaces.${rule.profileKey}: ${mode})`,
            { file: inputs.specFile, field: `linux.namespaces[${index}]`, fix: `run the container without sharing its ${type} namespace, or choose a profile whose ${rule.profileKey} namespace is "inherit"` },
          );
        }
        if (existing) continue;
        if (rule.absentMeansHost) {
          throw new OpenclawError(
            'merge',
            `has no ${type} namespace, so the container would share the host's (${rule.hostFlag}), but profile "${inputs.profile.profile.metadata.name}" (${profileFile}) requires an isolated one (spec.isolation.namespaces.${rule.profileKey}: ${mode})`,
            { file: inputs.specFile, field: 'linux.namespaces', fix: `drop ${rule.hostFlag} from the container's options, or choose a profile whose ${rule.profileKey} namespace is "inherit"` },
          );
        }
        namespaces.push({ type });
      }
    },
  };
}
