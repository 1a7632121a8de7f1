import { describe, expect, it } from 'vitest';
import { makeUnifiedModifier, parseMemoryValue } from '../../../shim/merge/unified.js';
import type { Spec } from '../../../shim/oci/types.js';
import { mergeInputs } from '../../helpers/merge-inputs.js';
import { expectRefusal } from './spec-refusals.helpers.js';

const LIMITS = { isolation: { cgroups: { memory: '512Mi', pids: { max: 64 }, cpus: 1 } } };
const WITH_SWAP = { isolation: { cgroups: { memory: '512Mi', memorySwap: '1Gi' } } };

const ROWS: Array<{ name: string; profile?: Record<string, unknown>; unified: Record<string, string>; refused?: RegExp }> = [
  { name: 'tighter memory.max', unified: { 'memory.max': '268435456' } },
  { name: 'equal memory.max with a suffix', unified: { 'memory.max': '512M' } },
  { name: 'tighter pids.max', unified: { 'pids.max': '10' } },
  { name: 'tighter cpu.max', unified: { 'cpu.max': '50000 100000' } },
  { name: 'memory.high (throttling only)', unified: { 'memory.high': 'max' } },
  { name: 'memory.oom.group', unified: { 'memory.oom.group': '1' } },
  { name: 'weights', unified: { 'cpu.weight': '100', 'io.weight': 'default 100' } },
  { name: 'no profile limit: memory.max max stays', profile: {}, unified: { 'memory.max': 'max', 'pids.max': 'max', 'cpu.max': 'max 100000' } },
  { name: 'swap within memorySwap - memory', profile: WITH_SWAP, unified: { 'memory.swap.max': '512Mi'.replace('Mi', 'M') } },
  { name: 'memory.max max', unified: { 'memory.max': 'max' }, refused: /memory\.max "max" is above the profile's 536870912 bytes/ },
  { name: 'memory.max above', unified: { 'memory.max': '1G' }, refused: /above the profile's/ },
  { name: 'memory.max not a number', unified: { 'memory.max': 'lots' }, refused: /not a byte count/ },
  { name: 'pids.max max', unified: { 'pids.max': 'max' }, refused: /pids\.max "max" is above the profile's 64/ },
  { name: 'pids.max above', unified: { 'pids.max': '65' }, refused: /above the profile's 64/ },
  { name: 'cpu.max without quota', unified: { 'cpu.max': 'max 100000' }, refused: /no quota/ },
  { name: 'cpu.max above', unified: { 'cpu.max': '200000 100000' }, refused: /more than the profile's 1 CPUs/ },
  { name: 'swap without a profile memorySwap (no swap)', unified: { 'memory.swap.max': '1' }, refused: /memory\.swap\.max "1" is above the profile's 0 bytes/ },
  { name: 'swap above memorySwap - memory', profile: WITH_SWAP, unified: { 'memory.swap.max': 'max' }, refused: /above the profile's 536870912 bytes/ },
  { name: 'memory.min (reserves host memory)', unified: { 'memory.min': '1G' }, refused: /does not know to be harmless/ },
  { name: 'cgroup.procs', unified: { 'cgroup.procs': '1' }, refused: /"cgroup\.procs"/ },
  { name: 'a key named like an Object property', unified: { constructor: '1' }, refused: /"constructor"/ },
  { name: 'a path-like key', unified: { '../cgroup.procs': '1' }, refused: /does not know/ },
];

describe('unified modifier', () => {
  it.each(ROWS)('$name', (row) => {
    const spec: Spec = { linux: { resources: { unified: { ...row.unified } } } };
    const run = () => makeUnifiedModifier(mergeInputs(row.profile ?? LIMITS)).apply({ spec, hostActions: [] });
    if (row.refused) return expectRefusal(run, `linux.resources.unified["${Object.keys(row.unified)[0]}"]`, row.refused);
    run();
    expect(spec.linux!.resources!.unified).toEqual(row.unified);
  });

  it.each([
    ['max', 'max'],
    ['1024', 1024n],
    ['1k', 1024n],
    ['2M', 2n * 1024n * 1024n],
    ['1g', 1024n ** 3n],
    [' 7 ', 7n],
    ['1.5G', undefined],
    ['-1', undefined],
  ])('memparse %s', (text, want) => {
    expect(parseMemoryValue(text)).toBe(want);
  });
});
