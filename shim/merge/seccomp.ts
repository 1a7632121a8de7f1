/**
 * Seccomp. Merge policy: intersection. The profile's filter (compiled beforehand by
 * seccomp/compile.ts) is combined with whatever filter the caller's spec already has
 * (typically Docker's default profile), so the result is never looser than either.
 * A profile without a syscallFilter leaves the caller's filter as it is, and so does a filter
 * sealed by an earlier merge with the same profile (merge/seal.ts).
 */
import { intersectSeccomp } from '../seccomp/combine.js';
import { OpenclawError } from '../errors.js';
import { SEAL_ANNOTATION, sealVerifies } from './seal.js';
import type { MergeInputs, Modifier } from './types.js';

export function makeSeccompModifier(inputs: MergeInputs): Modifier {
  const compiled = inputs.compiledSeccomp;
  return {
    name: 'seccomp',
    apply({ spec }) {
      if (!compiled) return;
      const linux = (spec.linux ??= {});
      const key = inputs.sealKey;
      if (key && linux.seccomp && sealVerifies(key, inputs.profile.sha256, linux.seccomp, spec.annotations?.[SEAL_ANNOTATION])) {
        return; // merged by us for this very profile before: merging again would only re-encode it
      }
      try {
        linux.seccomp = intersectSeccomp(linux.seccomp, compiled);
      } catch (err) {
        // What cannot be combined comes from the caller's filter: name config.json.
        if (err instanceof OpenclawError && !err.file) {
          throw new OpenclawError(err.module, err.problem, {
            file: inputs.specFile,
            field: err.field ?? 'linux.seccomp',
            fix: err.fix ?? 'correct linux.seccomp in config.json (or run the container without a custom seccomp profile)',
            cause: err,
          });
        }
        throw err;
      }
    },
  };
}
