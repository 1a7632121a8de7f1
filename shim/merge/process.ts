/**
 * The container process. A profile without a `process` section changes nothing here.
 * Merge policy for one that has it:
 * - noNewPrivileges: true, unless the profile sets it false, which keeps the caller's value
 *   (a profile never turns a caller's true off).
 * - capabilities: each set is the caller's set intersected with the profile's allowed list
 *   (default: none at all).
 * - rlimits, keyed by type: the lower soft and the lower hard of caller and profile.
 */
import type { SpecCapabilities, SpecRlimit } from '../spec/types.js';
import { u64Min } from '../spec/json.js';
import type { MergeInputs, Modifier } from './types.js';

/** NOTE when OCI adds a capability set also add it here. */
export const CAPABILITY_SETS: ReadonlyArray<keyof SpecCapabilities & string> = ['bounding', 'effective', 'inheritable', 'permitted', 'ambient'];

export function makeProcessModifier(inputs: MergeInputs): Modifier {
  const section = inputs.profile.profile.spec.process;
  const p = section ?? {};
  const allowedCaps = new Set(p.capabilities ?? []);
  return {
    name: 'process',
    apply({ spec }) {
      const proc = spec.process;
      if (!proc || !section) return;
      if (p.noNewPrivileges !== false) proc.noNewPrivileges = true;
      if (proc.capabilities) {
        for (const set of CAPABILITY_SETS) {
          const caps = proc.capabilities[set];
          if (Array.isArray(caps)) proc.capabilities[set] = caps.filter((c) => allowedCaps.has(c));
        }
      }
      for (const want of p.rlimits ?? []) {
        const rlimits: SpecRlimit[] = (proc.rlimits ??= []);
        const have = rlimits.find((r) => r.type === want.type);
        const hard = (x: bigint) => (x <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : x);
        if (!have) {
          rlimits.push({ type: want.type, hard: hard(want.hard), soft: hard(want.soft < want.hard ? want.soft : want.hard) });
          continue;
        }
        have.hard = u64Min(have.hard, hard(want.hard));
        have.soft = u64Min(u64Min(have.soft, hard(want.soft)), have.hard);
      }
    },
  };
}
