/**
 * Property: fields the shim does not own survive a merge unchanged: unknown keys at the top
 * level, in process, in linux and in a mounts entry, and the caller's annotations (the shim
 * only adds its own two).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { jsonEqual } from '../../shim/util/json.js';
import { APPLIED_HASH_ANNOTATION, APPLIED_PROFILE_ANNOTATION } from '../../shim/merge/annotations.js';
import { SEAL_ANNOTATION } from '../../shim/merge/seal.js';
import { callerSpec, prepare, profileInput, tryMerge } from './arbitraries.js';
import { ROOTFS_SOURCE_ANNOTATION } from '../../shim/host/rootfs.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 150);
// A failure's shrinking is cut off here (the counterexample found so far is reported).
const LIMIT_MS = 15_000;

describe("fields the shim does not own survive", () => {
  it('unknown keys and annotations come out as they went in', () => {
    let checked = 0;
    let seen = 0;
    fc.assert(
      fc.property(callerSpec, profileInput, ({ spec, extras }, profileSpec) => {
        seen++;
        const inputs = prepare(profileSpec);
        const state = inputs && tryMerge(spec, inputs);
        if (!state) return true;
        checked++;
        const out = state.spec as any;
        const inp = spec as any;
        for (const [k, v] of Object.entries(extras.top)) expect(jsonEqual(out[k], v), `top-level ${k}`).toBe(true);
        for (const [k, v] of Object.entries(extras.process)) expect(jsonEqual(out.process[k], v), `process.${k}`).toBe(true);
        for (const [k, v] of Object.entries(extras.linux)) expect(jsonEqual(out.linux[k], v), `linux.${k}`).toBe(true);
        if (inp.mounts.length > 0) {
          const m = out.mounts.find((x: any) => x.destination === inp.mounts[0].destination);
          for (const [k, v] of Object.entries(extras.mount)) expect(jsonEqual(m[k], v), `mounts[0].${k}`).toBe(true);
        }
        const annotations = { ...out.annotations };
        expect(annotations[APPLIED_PROFILE_ANNOTATION]).toBe('prop');
        expect(annotations[APPLIED_HASH_ANNOTATION]).toBe('e'.repeat(64));
        delete annotations[APPLIED_PROFILE_ANNOTATION];
        delete annotations[APPLIED_HASH_ANNOTATION];
        // The shim's own: the seal over a merged filter, the source of a re-bound rootfs.
        if (out.linux?.seccomp && inputs.compiledFilter) expect(annotations[SEAL_ANNOTATION]).toMatch(/^[0-9a-f]{64}$/);
        delete annotations[SEAL_ANNOTATION];
        delete annotations[ROOTFS_SOURCE_ANNOTATION];
        expect(annotations).toEqual(extras.annotations);
        // Untouched by every modifier: these must be byte-equal values.
        for (const key of ['ociVersion', 'hostname'] as const) expect(out[key]).toEqual(inp[key]);
        expect(out.process.args).toEqual(inp.process.args);
        expect(out.process.user).toEqual(inp.process.user);
        return true;
      }),
      { numRuns: RUNS, interruptAfterTimeLimit: LIMIT_MS },
    );
    expect(checked, `checked ${checked} of ${seen}`).toBeGreaterThan(seen / 3);
  });
});
