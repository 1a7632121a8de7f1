/**
 * Seccomp. Merge policy: intersection. The profile's filter (compiled beforehand by
 * seccomp/compile.ts) is combined with whatever filter the caller's spec already has
 * (typically Docker's default profile), so the result is never looser than either.
 * A profile without a syscallFilter leaves the caller's filter as it is.
 */
import { intersectSeccomp } from '../seccomp/combine.js';
import type { MergeInputs, Modifier } from './types.js';

export function makeSeccompModifier(inputs: MergeInputs): Modifier {
  const compiled = inputs.compiledSeccomp;
  return {
    name: 'seccomp',
    apply({ spec }) {
      if (!compiled) return;
      const linux = (spec.linux ??= {});
      linux.seccomp = intersectSeccomp(linux.seccomp, compiled);
    },
  };
}
