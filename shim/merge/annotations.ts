/**
 * Records what was applied: the profile's name and content hash as annotations, so
 * `runc state` and audits can tell which profile a container runs under. Always last.
 * NOTE when renaming these also update the README ("What create changes").
 */
import type { MergeInputs, Modifier } from './types.js';

export const APPLIED_PROFILE_ANNOTATION = 'org.openclaw.profile.applied';
export const APPLIED_HASH_ANNOTATION = 'org.openclaw.profile.sha256';

export function makeAnnotationsModifier(inputs: MergeInputs): Modifier {
  return {
    name: 'annotations',
    apply({ spec }) {
      const annotations = (spec.annotations ??= {});
      annotations[APPLIED_PROFILE_ANNOTATION] = inputs.profile.profile.metadata.name;
      annotations[APPLIED_HASH_ANNOTATION] = inputs.profile.sha256;
    },
  };
}
