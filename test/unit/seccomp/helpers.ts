/** Shared helpers for the seccomp unit tests. */
import type { SyscallFilter as ProfileSyscallFilter } from '../../../shim/seccomp/schema.js';
import { compileSyscallFilter, type CompileOptions } from '../../../shim/seccomp/compile.js';
import type { SpecSeccomp } from '../../../shim/oci/types.js';
import { OpenclawError } from '../../../shim/errors.js';

export const FIELD = 'spec.isolation.syscallFilter';
import type { AgentFacts } from '../../../shim/seccomp/compile.js';

/** The agent as the tests compile for it: the metadata carries the filter's denials (filterDenials), as the shim's does. */
export const AGENT = { listenerPath: '/run/openclaw/agent.sock', listenerMetadata: (f: AgentFacts) => JSON.stringify({ profile: 'test', filterDenials: f.filterDenials }) };
export const X86_64 = 'SCMP_ARCH_X86_64';

export function compile(filter: Partial<ProfileSyscallFilter> & { defaultAction: string }, extra: Partial<CompileOptions> = {}): SpecSeccomp {
  return compileSyscallFilter(filter as ProfileSyscallFilter, { profileFile: 'p.yaml', fieldBase: FIELD, nativeArch: X86_64, ...extra });
}

/** The OpenclawError a function throws (fails the test when it does not throw one). */
export function errorOf(fn: () => unknown): OpenclawError {
  try {
    fn();
  } catch (e) {
    if (e instanceof OpenclawError) return e;
    throw e;
  }
  throw new Error('expected an OpenclawError');
}

/** Structural checks every emitted filter must pass (runc 1.1.5 and libseccomp pitfalls). */
export function assertWellFormed(s: SpecSeccomp): string[] {
  const problems: string[] = [];
  if ('flags' in s) problems.push('flags present');
  for (const [i, r] of (s.syscalls ?? []).entries()) {
    if (r.action === s.defaultAction && (r.errnoRet ?? 1) === (s.defaultErrnoRet ?? 1)) problems.push(`rule ${i} repeats the default action`);
    const idx = (r.args ?? []).map((a) => a.index);
    if (new Set(idx).size !== idx.length) problems.push(`rule ${i} repeats an index`);
    for (const a of r.args ?? []) if (a.op === 'SCMP_CMP_MASKED_EQ' && BigInt(a.value) === 0n) problems.push(`rule ${i} has mask 0`);
    if ([...r.names].sort().join() !== r.names.join()) problems.push(`rule ${i} names unsorted`);
  }
  return problems;
}

/** A small seeded PRNG (mulberry32) so randomized tests are reproducible. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T,
  };
}
