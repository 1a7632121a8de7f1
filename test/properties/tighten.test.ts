/**
 * Property: whatever the caller's spec and the profile, a merge that succeeds is never looser
 * than the caller's spec. Checked per section: seccomp (the reference evaluator on sampled
 * calls, no filter = allow everything), cgroup limits, host bind mounts, namespaces,
 * capabilities, rlimits, noNewPrivileges, the read-only root, masked paths. A merge that does
 * not succeed must refuse with an OpenclawError (tryMerge rethrows anything else).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { evaluate, verdictRank, type Verdict } from '../../shim/seccomp/evaluate.js';
import type { Spec, SpecSeccomp } from '../../shim/oci/types.js';
import { callerSpec, prepare, profileInput, sampledCalls, tryMerge } from './arbitraries.js';

const ALLOW: Verdict = { action: 'allow' };
/**
 * Strictness for the comparison: the evaluator's rank, except that kill-thread and
 * kill-process count as one (the call never runs either way). The one place they differ is an
 * ABI the profile does not list: the caller's SCMP_ACT_KILL_PROCESS there becomes libseccomp's
 * bad-arch action, kill-thread (observed with an X32 rule; the kernel here has no x32 anyway).
 */
const strictness = (v: Verdict) => Math.min(verdictRank(v), verdictRank({ action: 'kill-thread' }));
const decide = (s: SpecSeccomp | undefined, arch: string, name: string, args: bigint[]): Verdict => (s ? evaluate(s, arch, name, args) : ALLOW);

/** A limit as a bigint, or undefined for "none" (absent, 0 or negative). */
function limit(v: unknown): bigint | undefined {
  if (v === undefined || v === null) return undefined;
  const b = BigInt(v as number | bigint);
  return b > 0n ? b : undefined;
}
const atMost = (out: bigint | undefined, input: bigint | undefined) => input === undefined || (out !== undefined && out <= input);

const bindKey = (m: { source?: string; destination: string }) => `${m.source}->${m.destination}`;
const isBind = (m: any) => m.type === 'bind' || (m.options ?? []).some((o: string) => o === 'bind' || o === 'rbind');

const RUNS = Number(process.env.PROPERTY_RUNS ?? 150);
// A failure's shrinking is cut off here (the counterexample found so far is reported).
const LIMIT_MS = 15_000;
let merged = 0;
let refused = 0;
let seen = 0;

describe('merge never loosens the caller spec', () => {
  it('every section is at least as strict after the merge', () => {
    fc.assert(
      fc.property(callerSpec, profileInput, sampledCalls, ({ spec }, profileSpec, calls) => {
        seen++;
        const inputs = prepare(profileSpec);
        if (!inputs) return true; // the profile itself is refused: nothing to merge
        const state = tryMerge(spec, inputs);
        if (!state) {
          refused++;
          return true;
        }
        merged++;
        const inp = spec as any;
        const out = state.spec as any;

        // seccomp: every sampled call gets an answer at least as strict
        for (const c of calls) {
          const before = decide(inp.linux?.seccomp, c.arch, c.name, c.args);
          const after = decide(out.linux?.seccomp, c.arch, c.name, c.args);
          expect(strictness(after), `${c.arch} ${c.name}(${c.args.join(', ')}): ${JSON.stringify(before)} -> ${JSON.stringify(after)}`).toBeGreaterThanOrEqual(strictness(before));
        }

        // cgroup limits no higher
        const ri = inp.linux?.resources ?? {};
        const ro = out.linux?.resources ?? {};
        expect(atMost(limit(ro.memory?.limit), limit(ri.memory?.limit)), 'memory.limit').toBe(true);
        expect(atMost(limit(ro.memory?.swap), limit(ri.memory?.swap)), 'memory.swap').toBe(true);
        expect(atMost(limit(ro.pids?.limit), limit(ri.pids?.limit)), 'pids.limit').toBe(true);
        if (limit(ri.cpu?.quota) !== undefined) {
          const ratio = (c: any) => Number(c.quota) / Number(c.period ?? 100000);
          expect(limit(ro.cpu?.quota), 'cpu.quota').toBeDefined();
          expect(ratio(ro.cpu)).toBeLessThanOrEqual(ratio(ri.cpu));
        }

        // host bind mounts: a subset of the caller's plus the profile's allow-list
        const allowed = new Set<string>([
          ...(inp.mounts ?? []).filter(isBind).map(bindKey),
          ...(inputs.profile.profile.spec.filesystem?.allowedBindMounts ?? []).map(bindKey),
        ]);
        for (const m of (out.mounts ?? []).filter(isBind)) expect(allowed.has(bindKey(m)), `bind ${bindKey(m)}`).toBe(true);
        // a caller's read-only bind stays read-only
        for (const m of (inp.mounts ?? []).filter(isBind)) {
          if (!(m.options ?? []).includes('ro')) continue;
          const kept = (out.mounts ?? []).find((o: any) => bindKey(o) === bindKey(m));
          expect(kept?.options ?? [], `ro bind ${bindKey(m)}`).toContain('ro');
        }

        // namespaces: a superset, joined ones untouched
        const nsOut = new Map<string, any>((out.linux?.namespaces ?? []).map((n: any) => [n.type, n]));
        for (const n of inp.linux?.namespaces ?? []) {
          expect(nsOut.has(n.type), `namespace ${n.type}`).toBe(true);
          expect(nsOut.get(n.type).path).toBe(n.path);
        }

        // capabilities: each set a subset (a set the caller left out stays out)
        for (const [set, caps] of Object.entries<string[]>(inp.process?.capabilities ?? {})) {
          const after: string[] = out.process.capabilities?.[set] ?? [];
          for (const c of after) expect(caps, `capabilities.${set}`).toContain(c);
        }
        for (const set of Object.keys(out.process?.capabilities ?? {})) expect(Object.keys(inp.process?.capabilities ?? {})).toContain(set);

        // rlimits: per type, neither hard nor soft higher
        for (const r of inp.process?.rlimits ?? []) {
          const o = (out.process?.rlimits ?? []).find((x: any) => x.type === r.type);
          expect(o, `rlimit ${r.type}`).toBeDefined();
          expect(BigInt(o.hard) <= BigInt(r.hard), `rlimit ${r.type} hard`).toBe(true);
          expect(BigInt(o.soft) <= BigInt(r.soft), `rlimit ${r.type} soft`).toBe(true);
        }

        // never turned off
        if (inp.process?.noNewPrivileges === true) expect(out.process.noNewPrivileges).toBe(true);
        if (inp.root?.readonly === true) expect(out.root.readonly).toBe(true);
        for (const p of inp.linux?.maskedPaths ?? []) expect(out.linux.maskedPaths).toContain(p);
        for (const p of inp.linux?.readonlyPaths ?? []) expect(out.linux.readonlyPaths).toContain(p);
        // no device rule added that the caller did not have, except the profile's GPUs (none here)
        expect((ro.devices ?? []).filter((d: any) => d.allow).length).toBeLessThanOrEqual((ri.devices ?? []).filter((d: any) => d.allow).length);
        return true;
      }),
      { numRuns: RUNS, interruptAfterTimeLimit: LIMIT_MS },
    );
    // The property must not hold only vacuously: most generated pairs merge.
    expect(merged, `merged ${merged}, refused ${refused} of ${seen}`).toBeGreaterThan(seen / 3);
  });

  it('the input spec object is never modified', () => {
    fc.assert(
      fc.property(callerSpec, profileInput, ({ spec }, profileSpec) => {
        const inputs = prepare(profileSpec);
        if (!inputs) return true;
        const before = JSON.stringify(spec, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
        tryMerge(spec as Spec, inputs);
        expect(JSON.stringify(spec, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))).toBe(before);
        return true;
      }),
      { numRuns: Math.ceil(RUNS / 3), interruptAfterTimeLimit: LIMIT_MS },
    );
  });
});
