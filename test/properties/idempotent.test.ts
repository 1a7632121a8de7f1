/**
 * Property: merging twice equals merging once. Semantically, the seccomp filter answers every
 * sampled call the same and everything outside linux.seccomp is the same JSON value;
 * structurally, the filter too should be a fixed point, and the second merge should never be
 * refused when the first succeeded (a bundle's config.json is merged in place, so `runc run`
 * repeated on one bundle merges it again each time).
 *
 * Re-intersecting a merged filter with its profile would re-encode it into a larger, equivalent
 * rule set every time (model-backend: 27 KiB, 185 KiB, then "too complex"); the seal
 * (shim/merge/seal.ts) makes the second merge keep the first one's filter as it is.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluate } from '../../shim/seccomp/evaluate.js';
import { jsonEqual } from '../../shim/util/json.js';
import { diffSpecs, formatChanges } from '../../shim/oci/diff.js';
import { readProfileFile } from '../../shim/profile/load.js';
import { compileProfileSeccomp } from '../../shim/profile/compile-profile.js';
import { compileInputsOf } from '../../shim/profile/compile-inputs.js';
import { mergeSpec } from '../../shim/merge/index.js';
import { REPO } from '../helpers/bundle.js';
import { callerSpec, HOOK, hostFacts, prepare, profileInput, sampledCalls, SEAL_KEY, tryMerge } from './arbitraries.js';
import { RuntimeConfigSchema } from '../../shim/config/schema.js';
import type { MergeInputs } from '../../shim/merge/types.js';
import { capturedContainerId, capturedEngineHost } from '../helpers/merge-inputs.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 150);
// A failure's shrinking is cut off here (the counterexample found so far is reported).
const LIMIT_MS = 15_000;
const withoutSeccomp = (spec: any) => ({ ...spec, linux: { ...spec.linux, seccomp: undefined } });

describe('merge is idempotent', () => {
  it('merged again (when it is accepted): same seccomp decisions, same everything else', () => {
    let checked = 0;
    let seen = 0;
    fc.assert(
      fc.property(callerSpec, profileInput, sampledCalls, ({ spec }, profileSpec, calls) => {
        seen++;
        const inputs = prepare(profileSpec);
        const once = inputs && tryMerge(spec, inputs);
        if (!inputs || !once) return true;
        const twice = tryMerge(once.spec, inputs);
        if (!twice) return true; // the refusal is the next test's business
        checked++;
        const s1 = (once.spec as any).linux?.seccomp;
        const s2 = (twice.spec as any).linux?.seccomp;
        expect(s2 === undefined).toBe(s1 === undefined);
        if (s1) {
          for (const c of calls) {
            expect(evaluate(s2, c.arch, c.name, c.args), `${c.arch} ${c.name}(${c.args.join(', ')})`).toEqual(evaluate(s1, c.arch, c.name, c.args));
          }
        }
        const a = withoutSeccomp(once.spec);
        const b = withoutSeccomp(twice.spec);
        if (!jsonEqual(a, b)) expect.fail(`not idempotent: ${formatChanges(diffSpecs(a, b))}`);
        return true;
      }),
      { numRuns: RUNS, interruptAfterTimeLimit: LIMIT_MS },
    );
    // Not vacuous: most generated pairs merge twice (the time limit may end a long run early).
    expect(checked, `checked ${checked} of ${seen}`).toBeGreaterThan(seen / 3);
  });

  it('the merged seccomp filter is a fixed point of the merge (same JSON)', () => {
    fc.assert(
      fc.property(callerSpec, profileInput, ({ spec }, profileSpec) => {
        const inputs = prepare(profileSpec);
        const once = inputs && tryMerge(spec, inputs);
        if (!inputs || !once) return true;
        const twice = tryMerge(once.spec, inputs);
        expect(twice).toBeDefined();
        expect(jsonEqual((once.spec as any).linux?.seccomp, (twice!.spec as any).linux?.seccomp)).toBe(true);
        return true;
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
  });

  it('the shipped model-backend profile merged three times into one bundle is still accepted, unchanged', () => {
    const docker = JSON.parse(readFileSync(join(REPO, 'test/golden/fixtures/docker-20.10-busybox.config.json'), 'utf8'));
    const profile = readProfileFile(join(REPO, 'profiles', 'model-backend.yaml'));
    const config = RuntimeConfigSchema.parse({});
    const inputs: MergeInputs = { profile, compiledFilter: compileProfileSeccomp(profile, compileInputsOf(config)), config, containerId: capturedContainerId(docker), host: { ...hostFacts(), ...capturedEngineHost(docker) }, bundle: '/bundle', cleanupHookPath: HOOK, sealKey: SEAL_KEY, specFile: '/bundle/config.json' };
    let spec = docker;
    const sizes: number[] = [];
    for (let i = 0; i < 3; i++) {
      spec = mergeSpec(spec, inputs).spec;
      sizes.push(JSON.stringify(spec.linux.seccomp).length);
    }
    expect(sizes[2]).toBe(sizes[0]);
  });

  it('a seal does not carry over to a looser filter, or to another profile', () => {
    const docker = JSON.parse(readFileSync(join(REPO, 'test/golden/fixtures/docker-20.10-busybox.config.json'), 'utf8'));
    const profile = readProfileFile(join(REPO, 'profiles', 'model-backend.yaml'));
    const config = RuntimeConfigSchema.parse({});
    const inputs: MergeInputs = { profile, compiledFilter: compileProfileSeccomp(profile, compileInputsOf(config)), config, containerId: capturedContainerId(docker), host: { ...hostFacts(), ...capturedEngineHost(docker) }, bundle: '/bundle', cleanupHookPath: HOOK, sealKey: SEAL_KEY, specFile: '/bundle/config.json' };
    const once = mergeSpec(docker, inputs).spec;
    // A creator keeps the seal but loosens the filter: the merge runs again and stays strict.
    const forged = structuredClone(once);
    forged.linux.seccomp = { defaultAction: 'SCMP_ACT_ALLOW' };
    const again = mergeSpec(forged, inputs).spec;
    for (const name of ['ptrace', 'bpf', 'unshare']) expect(evaluate(again.linux.seccomp, 'SCMP_ARCH_X86_64', name, []).action).not.toBe('allow');
    // The same sealed filter under another profile hash is merged again.
    const other = { ...inputs, profile: { ...profile, sha256: '0'.repeat(64) } };
    expect(mergeSpec(once, other).spec.annotations['org.openclaw.seccomp.seal']).not.toBe(once.annotations['org.openclaw.seccomp.seal']);
  });
});
