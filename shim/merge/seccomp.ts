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
import { grantedDevicePaths } from './devices.js';
import type { SpecSeccomp } from '../oci/types.js';

/**
 * The agent's writable list (agent/metadata.ts, written by the profile compiler) plus the
 * device nodes this container was granted: which devices exist is known only per create.
 * Plain JSON on purpose: the metadata is our own output, and the schema (zod) stays off the
 * create path.
 */
function grantDevicesToAgent(seccomp: SpecSeccomp, devices: string[]): void {
  if (devices.length === 0 || !seccomp.listenerMetadata) return;
  const meta = JSON.parse(seccomp.listenerMetadata) as { writable?: string[] };
  meta.writable = [...new Set([...(meta.writable ?? []), ...devices])].sort();
  seccomp.listenerMetadata = JSON.stringify(meta);
}

export function makeSeccompModifier(inputs: MergeInputs): Modifier {
  const compiled = inputs.compiledFilter;
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
        grantDevicesToAgent(linux.seccomp, grantedDevicePaths(inputs));
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
