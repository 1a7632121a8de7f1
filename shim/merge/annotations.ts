/**
 * Records what was applied: the profile's name and content hash as annotations, so
 * `runc state` and audits can tell which profile a container runs under, and the seal over
 * the merged seccomp filter (merge/seal.ts). Always last.
 * Merge policy: ours, always set; a caller's values are replaced. A profile in audit mode
 * (syscallFilter.audit) is never silent: the applied name says `NAME (audit)` and
 * AUDIT_ANNOTATION says what is not enforced; a caller's AUDIT_ANNOTATION is removed otherwise.
 * docs/profile-reference.md ("What is recorded") names each; test/unit/structure/reminders.test.ts checks it does.
 */
import type { SpecSeccomp } from '../oci/types.js';
import type { MergeInputs, Modifier } from './types.js';
import { SEAL_ANNOTATION, sealOf } from './seal.js';

export const APPLIED_PROFILE_ANNOTATION = 'org.openclaw.profile.applied';
export const APPLIED_HASH_ANNOTATION = 'org.openclaw.profile.sha256';
export const AUDIT_ANNOTATION = 'org.openclaw.profile.audit';

/**
 * The audit-mode line for a profile and its compiled filter, undefined when it enforces.
 * The calls still enforced come from the compiler (listenerMetadata `audit.enforced`).
 */
export function auditSummary(profile: MergeInputs['profile'], compiled: SpecSeccomp | undefined): string | undefined {
  if (profile.profile.spec.isolation.syscallFilter?.audit !== true) return undefined;
  let enforced: string[] = [];
  try {
    // Plain JSON: the metadata is our compiler's output (zod stays off the create path).
    const meta = JSON.parse(compiled?.listenerMetadata ?? '{}') as { audit?: { enforced?: string[] } };
    enforced = meta.audit?.enforced ?? [];
  } catch {
    // no metadata: nothing further to say
  }
  return `syscallFilter denials are logged as "audit: would deny" and allowed, not enforced${enforced.length > 0 ? `; still enforced: ${enforced.join(', ')}` : ''}; namespaces, mounts, capabilities and cgroups are enforced`;
}

export function makeAnnotationsModifier(inputs: MergeInputs): Modifier {
  return {
    name: 'annotations',
    apply({ spec }) {
      const annotations = (spec.annotations ??= {});
      const audit = auditSummary(inputs.profile, inputs.compiledFilter?.spec);
      annotations[APPLIED_PROFILE_ANNOTATION] = audit ? `${inputs.profile.profile.metadata.name} (audit)` : inputs.profile.profile.metadata.name;
      if (audit) annotations[AUDIT_ANNOTATION] = audit;
      else delete annotations[AUDIT_ANNOTATION];
      annotations[APPLIED_HASH_ANNOTATION] = inputs.profile.sha256;
      const seccomp = spec.linux?.seccomp;
      if (inputs.sealKey && seccomp && inputs.compiledFilter) annotations[SEAL_ANNOTATION] = sealOf(inputs.sealKey, inputs.profile.sha256, seccomp);
      else delete annotations[SEAL_ANNOTATION];
    },
  };
}
