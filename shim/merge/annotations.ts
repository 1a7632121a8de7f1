/**
 * Records what was applied: the profile's name and content hash as annotations, so
 * `runc state` and audits can tell which profile a container runs under, and the seal over
 * the merged seccomp filter (merge/seal.ts). Always last.
 * NOTE when renaming these also update the README ("What create changes").
 */
import type { MergeInputs, Modifier } from './types.js';
import { SEAL_ANNOTATION, sealOf } from './seal.js';

export const APPLIED_PROFILE_ANNOTATION = 'org.openclaw.profile.applied';
export const APPLIED_HASH_ANNOTATION = 'org.openclaw.profile.sha256';

export function makeAnnotationsModifier(inputs: MergeInputs): Modifier {
  return {
    name: 'annotations',
    apply({ spec }) {
      const annotations = (spec.annotations ??= {});
      annotations[APPLIED_PROFILE_ANNOTATION] = inputs.profile.profile.metadata.name;
      annotations[APPLIED_HASH_ANNOTATION] = inputs.profile.sha256;
      const seccomp = spec.linux?.seccomp;
      if (inputs.sealKey && seccomp && inputs.compiledFilter) annotations[SEAL_ANNOTATION] = sealOf(inputs.sealKey, inputs.profile.sha256, seccomp);
      else delete annotations[SEAL_ANNOTATION];
    },
  };
}
