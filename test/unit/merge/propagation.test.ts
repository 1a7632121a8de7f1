import { describe, expect, it } from 'vitest';
import { makePropagationModifier } from '../../../shim/merge/propagation.js';
import type { Spec } from '../../../shim/oci/types.js';
import { mergeInputs } from '../../helpers/merge-inputs.js';
import { expectRefusal } from './spec-refusals.helpers.js';

const bind = (options: string[]) => ({ destination: '/data', type: 'bind', source: '/srv/data', options });

const ROWS: Array<{ name: string; spec: Spec; refused?: { field: string; problem: RegExp } }> = [
  { name: 'no propagation at all', spec: { mounts: [bind(['rbind', 'ro'])] } },
  { name: 'rootfsPropagation rprivate', spec: { linux: { rootfsPropagation: 'rprivate' } } },
  { name: 'rootfsPropagation rslave', spec: { linux: { rootfsPropagation: 'rslave' } } },
  { name: 'rootfsPropagation unbindable', spec: { linux: { rootfsPropagation: 'unbindable' } } },
  { name: 'a bind with rprivate (Docker default)', spec: { mounts: [bind(['rbind', 'rprivate'])] } },
  { name: 'a bind with rslave (HostToContainer)', spec: { mounts: [bind(['rbind', 'rslave'])] } },
  { name: 'rootfsPropagation shared', spec: { linux: { rootfsPropagation: 'shared' } }, refused: { field: 'linux.rootfsPropagation', problem: /shared/ } },
  { name: 'rootfsPropagation rshared (Bidirectional)', spec: { linux: { rootfsPropagation: 'rshared' } }, refused: { field: 'linux.rootfsPropagation', problem: /propagate to the host/ } },
  { name: 'a bind with rshared', spec: { mounts: [bind(['rbind', 'ro']), bind(['rbind', 'rshared'])] }, refused: { field: 'mounts[1].options', problem: /\/data with rshared/ } },
  { name: 'a bind with shared', spec: { mounts: [bind(['bind', 'shared'])] }, refused: { field: 'mounts[0].options', problem: /with shared/ } },
];

describe('propagation modifier', () => {
  it.each(ROWS)('$name', (row) => {
    const spec = structuredClone(row.spec);
    const run = () => makePropagationModifier(mergeInputs({})).apply({ spec, hostActions: [] });
    if (row.refused) return expectRefusal(run, row.refused.field, row.refused.problem);
    run();
    expect(spec).toEqual(row.spec);
  });
});
