/**
 * linux.resources.unified: raw cgroup v2 files runc writes after every other resource, so a
 * key there overrides the limit the cgroups modifier merged (memory.max "max" undoes the
 * profile's memory limit). Merge policy, per key (UNIFIED_KEYS):
 * - a key that carries a profile limit (memory.max, memory.swap.max, pids.max, cpu.max) must
 *   not exceed the profile's limit; "max" or a larger value is refused. Without that profile
 *   limit the key stays as the caller wrote it;
 * - a key that cannot loosen a limit the profile sets (weights, memory.high below memory.max,
 *   memory.oom.group, ...) stays;
 * - any other key is refused, as is a key that is not `<controller>.<file>`: a cgroup file this
 *   table does not know could loosen something (memory.min/low reserve host memory,
 *   cgroup.* files change the tree), and refusing is the side that fails safe.
 */
import { OpenclawError } from '../errors.js';
import type { Profile } from '../profile/schema.js';
import type { MergeInputs, Modifier } from './types.js';
import { CPU_PERIOD_US } from './cgroups.js';

type Limits = NonNullable<Profile['spec']['isolation']['cgroups']>;

interface UnifiedKey {
  /** The profile limit this file can raise, as a function of the file's value; undefined: it raises none. */
  exceeds?: (value: string, limits: Limits) => string | undefined;
  /** The profile field named in the error. */
  profileField?: string;
}

const MEMPARSE_RE = /^([0-9]+)([kKmMgGtTpPeE]?)$/;
const MEMPARSE_SHIFT: Record<string, bigint> = { '': 0n, k: 10n, m: 20n, g: 30n, t: 40n, p: 50n, e: 60n };

/** A memory file's value as the kernel's memparse reads it; 'max' is unlimited; undefined when unreadable. */
export function parseMemoryValue(v: string): bigint | 'max' | undefined {
  const t = v.trim();
  if (t === 'max') return 'max';
  const m = MEMPARSE_RE.exec(t);
  if (!m) return undefined;
  return BigInt(m[1]!) << MEMPARSE_SHIFT[m[2]!.toLowerCase()]!;
}

function exceedsBytes(value: string, limit: bigint | undefined, what: string): string | undefined {
  if (limit === undefined) return undefined;
  const v = parseMemoryValue(value);
  if (v === undefined) return `"${value}" is not a byte count`;
  if (v === 'max' || v > limit) return `${what} "${value}" is above the profile's ${limit} bytes`;
  return undefined;
}

export const UNIFIED_KEYS: Record<string, UnifiedKey> = {
  'memory.max': { profileField: 'spec.isolation.cgroups.memory', exceeds: (v, l) => exceedsBytes(v, l.memory, 'memory.max') },
  // OCI's memory.swap is memory + swap; cgroup v2's memory.swap.max is swap alone.
  'memory.swap.max': {
    profileField: 'spec.isolation.cgroups.memorySwap',
    exceeds: (v, l) => (l.memory === undefined ? undefined : exceedsBytes(v, (l.memorySwap ?? l.memory) - l.memory, 'memory.swap.max')),
  },
  'pids.max': {
    profileField: 'spec.isolation.cgroups.pids.max',
    exceeds: (v, l) => {
      if (l.pids === undefined) return undefined;
      const t = v.trim();
      if (t !== 'max' && !/^[0-9]+$/.test(t)) return `"${v}" is not a number of processes`;
      return t === 'max' || BigInt(t) > BigInt(l.pids.max) ? `pids.max "${v}" is above the profile's ${l.pids.max}` : undefined;
    },
  },
  'cpu.max': {
    profileField: 'spec.isolation.cgroups.cpus',
    exceeds: (v, l) => {
      if (l.cpus === undefined) return undefined;
      const [quota, period = String(CPU_PERIOD_US)] = v.trim().split(/\s+/);
      if (quota === 'max') return `cpu.max "${v}" has no quota, and the profile allows ${l.cpus} CPUs`;
      if (!/^[0-9]+$/.test(quota ?? '') || !/^[0-9]+$/.test(period) || Number(period) === 0) return `"${v}" is not "<quota> <period>"`;
      return Number(quota) / Number(period) > l.cpus ? `cpu.max "${v}" allows more than the profile's ${l.cpus} CPUs` : undefined;
    },
  },
  // Throttling points and priorities: they never raise a hard limit.
  'memory.high': {},
  'memory.oom.group': {},
  'memory.swap.high': {},
  'cpu.weight': {},
  'cpu.weight.nice': {},
  'cpu.idle': {},
  'cpu.uclamp.min': {},
  'cpu.uclamp.max': {},
  'io.weight': {},
  'io.bfq.weight': {},
  'io.max': {},
  'io.latency': {},
  'cpuset.cpus': {},
  'cpuset.mems': {},
  'hugetlb.2MB.max': {},
  'hugetlb.1GB.max': {},
};

export function makeUnifiedModifier(inputs: MergeInputs): Modifier {
  const limits: Limits = inputs.profile.profile.spec.isolation.cgroups ?? {};
  const profileName = inputs.profile.profile.metadata.name;
  return {
    name: 'unified',
    apply({ spec }) {
      const unified = spec.linux?.resources?.unified;
      if (unified === undefined || unified === null) return;
      for (const [key, value] of Object.entries(unified)) {
        const field = `linux.resources.unified["${key}"]`;
        const rule = Object.hasOwn(UNIFIED_KEYS, key) ? UNIFIED_KEYS[key] : undefined;
        if (!rule) {
          throw new OpenclawError('merge', `sets the cgroup file "${key}", which openclaw-runtime does not know to be harmless (it could loosen a limit of profile "${profileName}")`, {
            file: inputs.specFile,
            field,
            fix: `remove "${key}" (Podman: --cgroup-conf; Kubernetes: the pod's unified resources); the limits openclaw-runtime passes are ${Object.keys(UNIFIED_KEYS).join(', ')}`,
          });
        }
        const why = rule.exceeds?.(String(value), limits);
        if (why !== undefined) {
          throw new OpenclawError('merge', `${why}; profile "${profileName}" (${inputs.profile.path}, ${rule.profileField}) only tightens`, {
            file: inputs.specFile,
            field,
            fix: `remove "${key}" or set it within the profile's limit (Docker: --memory/--pids-limit/--cpus; Podman: --cgroup-conf; Kubernetes: resources.limits)`,
          });
        }
      }
    },
  };
}
