/**
 * cgroup limits through OCI linux.resources (runc applies them on v1 and v2 alike).
 * Merge policy: tighten-only minimum per limit.
 * - memory.limit = min(caller, profile); a caller's 0 or negative means unlimited.
 * - memory.swap (OCI: memory + swap) = min(caller, profile memorySwap, memory.limit) but
 *   never below memory.limit (runc rejects that): without a profile memorySwap the container
 *   gets no swap beyond its memory; the swap is never larger than the memory.
 * - pids.limit = min(caller, profile).
 * - cpu: the quota/period ratio is the smaller of the caller's and the profile's cpus.
 */
import { toU64, u64Compare, type U64 } from '../util/json.js';
import type { MergeInputs, Modifier } from './types.js';

/** A limit the caller set, or undefined when it means "no limit". */
function effective(v: U64 | undefined): bigint | undefined {
  if (v === undefined) return undefined;
  const b = BigInt(v);
  return b > 0n ? b : undefined;
}

function minLimit(caller: U64 | undefined, profile: bigint | undefined): bigint | undefined {
  const c = effective(caller);
  if (c === undefined) return profile;
  if (profile === undefined) return c;
  return c < profile ? c : profile;
}

export const CPU_PERIOD_US = 100000;

export function makeCgroupsModifier(inputs: MergeInputs): Modifier {
  const limits = inputs.profile.profile.spec.isolation.cgroups;
  return {
    name: 'cgroups',
    apply({ spec }) {
      if (!limits) return;
      const resources = ((spec.linux ??= {}).resources ??= {});
      if (limits.memory !== undefined || limits.memorySwap !== undefined) {
        const memory = (resources.memory ??= {});
        const limit = minLimit(memory.limit, limits.memory);
        if (limit !== undefined) memory.limit = toU64(limit);
        if (limit !== undefined) {
          let swap = minLimit(memory.swap, limits.memorySwap ?? limit) ?? limit;
          if (swap < limit) swap = limit;
          memory.swap = toU64(swap);
        }
        if (limit !== undefined && memory.reservation !== undefined && u64Compare(memory.reservation, limit) > 0) {
          memory.reservation = toU64(limit);
        }
      }
      if (limits.pids !== undefined) {
        const pids = (resources.pids ??= { limit: 0 });
        pids.limit = toU64(minLimit(pids.limit, BigInt(limits.pids.max)) as bigint);
      }
      if (limits.cpus !== undefined) {
        const cpu = (resources.cpu ??= {});
        const period = effective(cpu.period) ?? BigInt(CPU_PERIOD_US);
        const callerQuota = effective(cpu.quota);
        const profileQuota = BigInt(Math.ceil(limits.cpus * Number(period)));
        if (callerQuota === undefined || callerQuota > profileQuota) {
          cpu.quota = toU64(profileQuota);
          cpu.period = toU64(period);
        }
      }
    },
  };
}
