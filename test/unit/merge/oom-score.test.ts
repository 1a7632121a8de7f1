import { describe, expect, it } from 'vitest';
import { makeOomScoreModifier } from '../../../shim/merge/oom-score.js';
import { RuntimeConfigSchema } from '../../../shim/config/schema.js';
import type { Spec } from '../../../shim/oci/types.js';
import { mergeInputs } from '../../helpers/merge-inputs.js';

describe('oom-score modifier: clamps to the floor, never refuses', () => {
  it.each([
    { name: 'CRI pause container', value: -998, floor: 0, want: 0 },
    { name: 'CRI Guaranteed pod', value: -997, floor: 0, want: 0 },
    { name: 'the minimum', value: -1000, floor: 0, want: 0 },
    { name: 'Docker default', value: 0, floor: 0, want: 0 },
    { name: 'Burstable pod', value: 999, floor: 0, want: 999 },
    { name: 'admin floor -500, above it', value: -100, floor: -500, want: -100 },
    { name: 'admin floor -500, below it', value: -998, floor: -500, want: -500 },
    { name: 'admin floor 500', value: 0, floor: 500, want: 500 },
    { name: 'absent stays absent', value: undefined, floor: 0, want: undefined },
  ])('$name: $value with floor $floor -> $want', ({ value, floor, want }) => {
    const spec: Spec = { process: value === undefined ? {} : { oomScoreAdj: value } };
    makeOomScoreModifier(mergeInputs({}, { config: RuntimeConfigSchema.parse({ process: { oom_score_adj_floor: floor } }) })).apply({ spec, hostActions: [] });
    expect(spec.process!.oomScoreAdj).toBe(want);
    if (want === undefined) expect('oomScoreAdj' in spec.process!).toBe(false);
  });
});
