import { describe, expect, it } from 'vitest';
import { makeProcessModifier } from '../../../shim/merge/process.js';
import type { Spec } from '../../../shim/oci/types.js';
import { mergeInputs } from '../../helpers/merge-inputs.js';

const DOCKER_CAPS = ['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID', 'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE'];

function apply(profileProcess: Record<string, unknown>, proc: Record<string, unknown>) {
  const spec: Spec = { process: structuredClone(proc) as never };
  makeProcessModifier(mergeInputs({ process: profileProcess })).apply({ spec, hostActions: [] });
  return spec.process!;
}

describe('process modifier', () => {
  it.each([
    { profile: {}, caller: undefined, expected: true },
    { profile: {}, caller: false, expected: true },
    { profile: { noNewPrivileges: false }, caller: true, expected: true },
    { profile: { noNewPrivileges: false }, caller: false, expected: false },
  ])('noNewPrivileges profile=$profile caller=$caller -> $expected', ({ profile, caller, expected }) => {
    expect(apply(profile, caller === undefined ? {} : { noNewPrivileges: caller }).noNewPrivileges).toBe(expected);
  });

  it.each([
    { allowed: undefined, expected: [] },
    { allowed: ['CAP_NET_BIND_SERVICE'], expected: ['CAP_NET_BIND_SERVICE'] },
    { allowed: ['CAP_SYS_ADMIN'], expected: [] },
  ])('capabilities allowed=$allowed', ({ allowed, expected }) => {
    const caps = Object.fromEntries(['bounding', 'effective', 'permitted'].map((s) => [s, DOCKER_CAPS]));
    const p = apply(allowed ? { capabilities: allowed } : {}, { capabilities: caps });
    for (const set of ['bounding', 'effective', 'permitted']) expect(p.capabilities![set as 'bounding']).toEqual(expected);
  });

  it('rlimits take the lower soft and hard, add missing ones, keep others', () => {
    const p = apply(
      { rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }, { type: 'RLIMIT_CORE', hard: 0, soft: 0 }] },
      { rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1048576, soft: 512 }, { type: 'RLIMIT_NPROC', hard: 10, soft: 10 }] },
    );
    expect(p.rlimits).toEqual([
      { type: 'RLIMIT_NOFILE', hard: 1024, soft: 512 },
      { type: 'RLIMIT_NPROC', hard: 10, soft: 10 },
      { type: 'RLIMIT_CORE', hard: 0, soft: 0 },
    ]);
  });
});
