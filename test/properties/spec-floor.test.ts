/**
 * Property: the config.json floor never lets through more than it promises, whatever the
 * caller writes. For generated inputs: an accepted device rule grants nothing beyond the
 * default set and the profile's GPUs; an accepted unified limit is within the profile's limit;
 * an accepted sysctl is namespaced by a namespace the container has; oomScoreAdj comes out at
 * or above both the caller's value and the floor; an accepted cgroupsPath names this container
 * under an allowed parent. A refusal is always an OpenclawError naming config.json.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_DEVICES, makeDevicesModifier } from '../../shim/merge/devices.js';
import { makeUnifiedModifier, parseMemoryValue } from '../../shim/merge/unified.js';
import { makeSysctlsModifier } from '../../shim/merge/sysctls.js';
import { makeOomScoreModifier } from '../../shim/merge/oom-score.js';
import { makeCgroupsPathModifier, namesContainer, parentMatches } from '../../shim/merge/cgroups-path.js';
import { RuntimeConfigSchema } from '../../shim/config/schema.js';
import type { Modifier } from '../../shim/merge/types.js';
import type { Spec } from '../../shim/oci/types.js';
import { mergeInputs } from '../helpers/merge-inputs.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);
const FILE = '/bundle/config.json';

/** Applies the modifier; true when accepted, false when refused with an OpenclawError naming config.json. */
function accepted(m: Modifier, spec: Spec): boolean {
  try {
    m.apply({ spec, hostActions: [] });
    return true;
  } catch (e: any) {
    if (e?.name !== 'OpenclawError' || e.file !== FILE || !e.field || !e.fix) throw e;
    return false;
  }
}

const optNum = (max: number) => fc.option(fc.integer({ min: -1, max }), { nil: undefined });
const rule = fc.record({
  allow: fc.boolean(),
  type: fc.constantFrom('a', 'c', 'b', 'u', undefined),
  major: optNum(300),
  minor: optNum(300),
  access: fc.constantFrom('rwm', 'r', 'w', 'm', 'rw', 'mm', ''),
});

describe('the config.json floor never loosens', () => {
  it('device rules: accepted read/write grants are default devices', () => {
    fc.assert(
      fc.property(fc.array(rule, { maxLength: 6 }), (rules) => {
        const spec: Spec = { linux: { resources: { devices: structuredClone(rules) as any } } };
        if (!accepted(makeDevicesModifier(mergeInputs({})), spec)) return;
        for (const r of rules) {
          if (!r.allow || /^m+$/.test(r.access)) continue;
          const type = r.type === 'u' ? 'c' : r.type;
          expect(r.major !== undefined && r.major >= 0).toBe(true);
          expect(DEFAULT_DEVICES.some((d) => d.type === type && d.major === r.major && (d.minor === undefined || d.minor === r.minor))).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('unified: an accepted memory.max or pids.max is within the profile', () => {
    const value = fc.oneof(fc.constant('max'), fc.bigInt({ min: 0n, max: 1n << 40n }).map(String), fc.tuple(fc.integer({ min: 0, max: 4096 }), fc.constantFrom('k', 'M', 'G')).map(([n, u]) => `${n}${u}`), fc.string({ maxLength: 4 }));
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 1n << 36n }), fc.integer({ min: 1, max: 10_000 }), value, value, (memory, pids, mem, pid) => {
        const spec: Spec = { linux: { resources: { unified: { 'memory.max': mem, 'pids.max': pid } } } };
        const inputs = mergeInputs({ isolation: { cgroups: { memory: memory.toString(), pids: { max: pids } } } });
        if (!accepted(makeUnifiedModifier(inputs), spec)) return;
        const m = parseMemoryValue(mem);
        expect(typeof m === 'bigint' && m <= memory).toBe(true);
        expect(/^[0-9]+$/.test(pid.trim()) && BigInt(pid.trim()) <= BigInt(pids)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('sysctls: an accepted key is namespaced by a namespace the container has', () => {
    const key = fc.oneof(
      fc.constantFrom('net.ipv4.tcp_syncookies', 'kernel.shmmax', 'kernel.sem', 'fs.mqueue.msg_max', 'kernel.core_pattern', 'vm.swappiness', 'fs.file-max', 'kernel.hostname', 'user.max_user_namespaces'),
      fc.stringMatching(/^[a-z.\/_-]{1,20}$/),
    );
    const ns = fc.subarray(['network', 'ipc', 'uts', 'pid', 'mount'] as const).chain((types) => fc.tuple(...types.map((t) => fc.record({ type: fc.constant(t), path: fc.option(fc.constant(`/proc/1/ns/${t}`), { nil: undefined }) }))));
    fc.assert(
      fc.property(key, ns, (k, namespaces) => {
        const clean = namespaces.map((n) => (n.path === undefined ? { type: n.type } : n));
        const spec: Spec = { linux: { namespaces: clean as any, sysctl: { [k]: '1' } } };
        if (!accepted(makeSysctlsModifier(mergeInputs({})), spec)) return;
        if (k.startsWith('net.')) expect(clean.some((n) => n.type === 'network')).toBe(true);
        else {
          expect(/^kernel\.(shm|msg|sem)|^fs\.mqueue\./.test(k)).toBe(true);
          expect(clean.some((n) => n.type === 'ipc' && !('path' in n))).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('oomScoreAdj: never below the caller nor the floor', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -1000, max: 1000 }), (value, floor) => {
        const spec: Spec = { process: { oomScoreAdj: value } };
        makeOomScoreModifier(mergeInputs({}, { config: RuntimeConfigSchema.parse({ process: { oom_score_adj_floor: floor } }) })).apply({ spec, hostActions: [] });
        expect(spec.process!.oomScoreAdj).toBe(Math.max(value, floor));
      }),
      { numRuns: RUNS },
    );
  });

  it('cgroupsPath: an accepted cgroupfs path names this container under an allowed parent', () => {
    const comp = fc.constantFrom('docker', 'kubepods', 'burstable', 'pod1', 'libpod_parent', 'system.slice', '..', '.', '', 'c1', 'libpod-c1', 'x');
    fc.assert(
      fc.property(fc.array(comp, { maxLength: 4 }), fc.boolean(), (parts, leadingSlash) => {
        const path = (leadingSlash ? '/' : '') + parts.join('/');
        const absolute = path.startsWith('/');
        const spec: Spec = { linux: { cgroupsPath: path } };
        const inputs = mergeInputs({}, { containerId: 'c1' });
        if (!accepted(makeCgroupsPathModifier(inputs), spec) || path === '') return;
        // One trailing slash names the same cgroup (runc cleans the path), as the modifier reads it.
        const components = (absolute ? path.slice(1) : path).replace(/\/$/, '').split('/');
        expect(components.every((c) => c !== '' && c !== '.' && c !== '..')).toBe(true);
        expect(namesContainer(components[components.length - 1]!, 'c1')).toBe(true);
        if (absolute) expect(inputs.config.cgroups.parents.some((p) => parentMatches(p, components.slice(0, -1)))).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});
