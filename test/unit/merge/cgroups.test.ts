import { describe, expect, it } from 'vitest';
import { makeCgroupsModifier } from '../../../shim/merge/cgroups.js';
import type { Spec } from '../../../shim/oci/types.js';
import { mergeInputs } from '../../helpers/merge-inputs.js';

const MiB = 1024 * 1024;

function apply(cgroups: Record<string, unknown>, resources: Record<string, unknown> | undefined) {
  const spec: Spec = { linux: resources === undefined ? {} : { resources: structuredClone(resources) } };
  makeCgroupsModifier(mergeInputs({ isolation: { cgroups } })).apply({ spec, hostActions: [] });
  return spec.linux!.resources!;
}

describe('cgroups modifier', () => {
  const cases: Array<{ name: string; profile: Record<string, unknown>; input?: Record<string, unknown>; memory?: unknown; swap?: unknown; pids?: unknown; quota?: unknown }> = [
    { name: 'profile memory when the caller has none', profile: { memory: '512Mi' }, memory: 512 * MiB, swap: 512 * MiB },
    { name: 'caller lower than profile wins', profile: { memory: '512Mi' }, input: { memory: { limit: 100 * MiB } }, memory: 100 * MiB, swap: 100 * MiB },
    { name: 'caller higher than profile is lowered', profile: { memory: '512Mi' }, input: { memory: { limit: 2048 * MiB, swap: 4096 * MiB } }, memory: 512 * MiB, swap: 512 * MiB },
    { name: 'caller -1 (unlimited) is replaced', profile: { memory: '1Gi' }, input: { memory: { limit: -1, swap: -1 } }, memory: 1024 * MiB, swap: 1024 * MiB },
    { name: 'profile memorySwap caps swap, never below memory', profile: { memory: '512Mi', memorySwap: '256Mi' }, memory: 512 * MiB, swap: 512 * MiB },
    { name: 'profile memorySwap above memory allows that much', profile: { memory: '512Mi', memorySwap: '768Mi' }, input: { memory: { limit: 600 * MiB, swap: 700 * MiB } }, memory: 512 * MiB, swap: 700 * MiB },
    { name: 'pids: min of both', profile: { pids: { max: 32 } }, input: { pids: { limit: 1000 } }, pids: 32 },
    { name: 'pids: caller lower stays', profile: { pids: { max: 32 } }, input: { pids: { limit: 8 } }, pids: 8 },
    { name: 'pids: caller 0 (unlimited) replaced', profile: { pids: { max: 32 } }, input: { pids: { limit: 0 } }, pids: 32 },
    { name: 'cpus: profile quota when caller has none', profile: { cpus: 0.5 }, quota: 50000 },
    { name: 'cpus: caller tighter stays', profile: { cpus: 2 }, input: { cpu: { quota: 10000, period: 100000 } }, quota: 10000 },
    { name: '64-bit caller limit compared exactly', profile: { memory: '1Gi' }, input: { memory: { limit: 2n ** 62n } }, memory: 1024 * MiB, swap: 1024 * MiB },
  ];
  it.each(cases)('$name', (c) => {
    const r = apply(c.profile, c.input);
    if (c.memory !== undefined) expect(r.memory?.limit).toBe(c.memory);
    if (c.swap !== undefined) expect(r.memory?.swap).toBe(c.swap);
    if (c.pids !== undefined) expect(r.pids?.limit).toBe(c.pids);
    if (c.quota !== undefined) expect(r.cpu?.quota).toBe(c.quota);
  });

  it('leaves other resource fields alone', () => {
    const r = apply({ pids: { max: 5 } }, { blockIO: { weight: 10 }, memory: { limit: 5 } });
    expect(r.blockIO).toEqual({ weight: 10 });
    expect(r.memory).toEqual({ limit: 5 });
  });
});
