/**
 * The container process. A profile without a `process` section changes nothing here.
 * Merge policy for one that has it:
 * - noNewPrivileges: true, unless the profile sets it false, which keeps the caller's value
 *   (a profile never turns a caller's true off).
 * - capabilities: each set is the caller's set intersected with the profile's allowed list
 *   (default: none at all).
 * - rlimits, keyed by type: the lower soft and the lower hard of caller and profile.
 *
 * The same policy clamps each `runc exec` process (merge/exec-process.ts): one function,
 * tightenProcess, for both.
 */
import type { SpecCapabilities, SpecProcess, SpecRlimit } from '../oci/types.js';
import { toU64, u64Min, type U64 } from '../util/json.js';
import type { ProfileProcess } from '../profile/schema.js';
import type { MergeInputs, Modifier } from './types.js';

/** NOTE when OCI adds a capability set also add it here. */
export const CAPABILITY_SETS: ReadonlyArray<keyof SpecCapabilities & string> = ['bounding', 'effective', 'inheritable', 'permitted', 'ambient'];

/** Lowers `rlimits` (in place) to `limit` for its type, or adds it; soft never above hard. */
export function lowerRlimit(rlimits: SpecRlimit[], limit: { type: string; hard: U64; soft: U64 }): void {
  const have = rlimits.find((r) => r.type === limit.type);
  if (!have) {
    rlimits.push({ type: limit.type, hard: limit.hard, soft: u64Min(limit.soft, limit.hard) });
    return;
  }
  have.hard = u64Min(have.hard, limit.hard);
  have.soft = u64Min(u64Min(have.soft, limit.soft), have.hard);
}

/** Applies a profile's `process` section to a process (in place). Pure: no I/O. */
export function tightenProcess(proc: SpecProcess, section: ProfileProcess | undefined): void {
  if (!section) return;
  if (section.noNewPrivileges !== false) proc.noNewPrivileges = true;
  const allowedCaps = new Set(section.capabilities ?? []);
  if (proc.capabilities) {
    for (const set of CAPABILITY_SETS) {
      const caps = proc.capabilities[set];
      if (Array.isArray(caps)) proc.capabilities[set] = caps.filter((c) => allowedCaps.has(c));
    }
  }
  for (const want of section.rlimits ?? []) {
    lowerRlimit((proc.rlimits ??= []), { type: want.type, hard: toU64(want.hard), soft: toU64(want.soft) });
  }
}

export function makeProcessModifier(inputs: MergeInputs): Modifier {
  const section = inputs.profile.profile.spec.process;
  return {
    name: 'process',
    apply({ spec }) {
      if (spec.process) tightenProcess(spec.process, section);
    },
  };
}
