import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../shim/seccomp/evaluate.js';
import type { SpecSeccomp } from '../../../shim/oci/types.js';

const base = (syscalls: SpecSeccomp['syscalls'], defaultAction = 'SCMP_ACT_ERRNO'): SpecSeccomp => ({
  defaultAction,
  architectures: ['SCMP_ARCH_X86_64'],
  syscalls,
});

describe('reference evaluator (runc 1.1.5 + libseccomp semantics)', () => {
  const cases: Array<{ name: string; spec: SpecSeccomp; call: [string, bigint[]]; arch?: string; want: { action: string; errno?: number } }> = [
    { name: 'default action', spec: base([]), call: ['read', []], want: { action: 'errno', errno: 1 } },
    { name: 'unconditional allow', spec: base([{ names: ['read'], action: 'SCMP_ACT_ALLOW' }]), call: ['read', []], want: { action: 'allow' } },
    { name: 'arch not listed is killed', spec: base([{ names: ['read'], action: 'SCMP_ACT_ALLOW' }], 'SCMP_ACT_ALLOW'), arch: 'SCMP_ARCH_X86', call: ['read', []], want: { action: 'kill-thread' } },
    { name: 'x32 is its own arch', spec: base([], 'SCMP_ACT_ALLOW'), arch: 'SCMP_ARCH_X32', call: ['read', []], want: { action: 'kill-thread' } },
    {
      name: 'repeated index: runc ORs the conditions',
      spec: base([{ names: ['ioctl'], action: 'SCMP_ACT_ALLOW', args: [{ index: 1, op: 'SCMP_CMP_EQ', value: 1 }, { index: 1, op: 'SCMP_CMP_EQ', value: 2 }] }]),
      call: ['ioctl', [0n, 2n]],
      want: { action: 'allow' },
    },
    {
      name: 'distinct indexes: AND',
      spec: base([{ names: ['ioctl'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, op: 'SCMP_CMP_EQ', value: 1 }, { index: 1, op: 'SCMP_CMP_EQ', value: 2 }] }]),
      call: ['ioctl', [0n, 2n]],
      want: { action: 'errno', errno: 1 },
    },
    {
      name: 'unconditional beats conditional',
      spec: base(
        [
          { names: ['openat'], action: 'SCMP_ACT_ERRNO' },
          { names: ['openat'], action: 'SCMP_ACT_ALLOW', args: [{ index: 2, op: 'SCMP_CMP_MASKED_EQ', value: 3, valueTwo: 0 }] },
        ],
        'SCMP_ACT_ALLOW',
      ),
      call: ['openat', [0n, 0n, 0n]],
      want: { action: 'errno', errno: 1 },
    },
    {
      name: 'overlapping conditionals: the stricter wins',
      spec: base([
        { names: ['ioctl'], action: 'SCMP_ACT_ALLOW', args: [{ index: 1, op: 'SCMP_CMP_GE', value: 1 }] },
        { names: ['ioctl'], action: 'SCMP_ACT_KILL_PROCESS', args: [{ index: 1, op: 'SCMP_CMP_EQ', value: 5 }] },
      ]),
      call: ['ioctl', [0n, 5n]],
      want: { action: 'kill-process' },
    },
    {
      name: 'MASKED_EQ: value is the mask, valueTwo the datum',
      spec: base([{ names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, op: 'SCMP_CMP_MASKED_EQ', value: 0x7e030000, valueTwo: 0x10000 }] }]),
      call: ['clone', [0x50f00n]],
      want: { action: 'allow' },
    },
    {
      name: 'MASKED_EQ: a fork-style clone does not match',
      spec: base([{ names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, op: 'SCMP_CMP_MASKED_EQ', value: 0x7e030000, valueTwo: 0x10000 }] }]),
      call: ['clone', [0x1200011n]],
      want: { action: 'errno', errno: 1 },
    },
    {
      name: 'rules with the default action are skipped (runc)',
      spec: base([{ names: ['read'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }, { names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, op: 'SCMP_CMP_EQ', value: 0 }] }]),
      call: ['read', [0n]],
      want: { action: 'allow' },
    },
    {
      name: '64-bit compare: upper bits count',
      spec: base([{ names: ['ioctl'], action: 'SCMP_ACT_ALLOW', args: [{ index: 1, op: 'SCMP_CMP_EQ', value: 0x5401 }] }]),
      call: ['ioctl', [0n, 0x5401n | (1n << 32n)]],
      want: { action: 'errno', errno: 1 },
    },
    { name: 'SCMP_ACT_KILL is kill-thread', spec: base([{ names: ['read'], action: 'SCMP_ACT_KILL' }]), call: ['read', []], want: { action: 'kill-thread' } },
    { name: 'errnoRet', spec: base([{ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 }], 'SCMP_ACT_ALLOW'), call: ['clone3', []], want: { action: 'errno', errno: 38 } },
    { name: 'unknown names never match', spec: base([{ names: ['no_such_call'], action: 'SCMP_ACT_ALLOW' }]), call: ['read', []], want: { action: 'errno', errno: 1 } },
  ];
  it.each(cases)('$name', ({ spec, call, arch, want }) => {
    expect(evaluate(spec, arch ?? 'SCMP_ARCH_X86_64', call[0], call[1])).toEqual(want);
  });
});
