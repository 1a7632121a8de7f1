import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importSeccompJson, importSeccompObject } from '../../../shim/seccomp/import.js';
import { evaluate } from '../../../shim/seccomp/evaluate.js';
import { stringifyJsonLossless } from '../../../shim/util/json.js';
import { X86_64, assertWellFormed, errorOf } from './helpers.js';

/** The backend JSON of seed note 000 (shared/seeds/000_1ab92a1ebe6bec6f.txt), as published between its ``` fences. */
function seedJson(): string {
  return readFileSync(new URL('./fixtures/seed-000-backend.json', import.meta.url), 'utf8');
}
const opts = { nativeArch: X86_64 };

describe('importSeccompJson: the seed backend JSON is refused with the exact places', () => {
  it('as published: umount does not exist on x86_64', () => {
    const e = errorOf(() => importSeccompJson(seedJson(), 'backend.json', opts));
    expect(e.file).toBe('backend.json');
    expect(e.field).toBe('syscalls[0].names[18]');
    expect(e.message).toMatch(/"umount" does not exist on SCMP_ARCH_X86_64/);
  });

  const seed = () => JSON.parse(seedJson().replace('"umount", ', ''));
  it('mask 0 matches every call (open, flags at index 1)', () => {
    const e = errorOf(() => importSeccompObject(seed(), 'backend.json', opts));
    expect(e.field).toBe('syscalls[1].args[0].value');
    expect(e.message).toMatch(/mask 0 matches every call/);
  });
  it('openat index 1 is the path pointer', () => {
    const j = seed();
    j.syscalls[1].args[0].value = 3;
    const e = errorOf(() => importSeccompObject(j, 'backend.json', opts));
    expect(e.field).toBe('syscalls[1].args[0].index');
    expect(e.message).toMatch(/argument 1 of openat is a pointer/);
    expect(e.fix).toMatch(/flags are argument 2/);
  });
  it('an unconditional deny and a conditional allow for open', () => {
    const j = seed();
    j.syscalls[1].names = ['open'];
    j.syscalls[1].args[0] = { index: 1, op: 'SCMP_CMP_MASKED_EQ', value: 3, valueTwo: 0 };
    const e = errorOf(() => importSeccompObject(j, 'backend.json', opts));
    expect(e.field).toBe('syscalls[1].names[0]');
    expect(e.message).toMatch(/unconditionally at syscalls\[0\]\.names\[\d+\]/);
  });
});

describe('importSeccompJson: shapes and readings', () => {
  it('keeps 64-bit values exact', () => {
    const text = '{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],"syscalls":[{"names":["ioctl"],"action":"SCMP_ACT_ERRNO","args":[{"index":2,"op":"SCMP_CMP_MASKED_EQ","value":18446744073709551615,"valueTwo":18446744073709551614}]}]}';
    const s = importSeccompJson(text, 'x.json', opts);
    expect(stringifyJsonLossless(s)).toContain('18446744073709551614');
    expect(evaluate(s, X86_64, 'ioctl', [0n, 0n, 0xfffffffffffffffen]).action).toBe('errno');
    expect(evaluate(s, X86_64, 'ioctl', [0n, 0n, 0xffffffffffffffffn]).action).toBe('allow');
  });

  it('repeated index means AND (runc would OR)', () => {
    const s = importSeccompObject(
      { defaultAction: 'SCMP_ACT_ERRNO', architectures: [X86_64], syscalls: [{ names: ['read', 'write', 'close', 'futex'], action: 'SCMP_ACT_ALLOW' }, { names: ['ioctl'], action: 'SCMP_ACT_ALLOW', args: [{ index: 1, op: 'SCMP_CMP_GE', value: 5 }, { index: 1, op: 'SCMP_CMP_LE', value: 6 }] }] },
      'x.json',
      opts,
    );
    expect(assertWellFormed(s)).toEqual([]);
    expect([4n, 5n, 6n, 7n].map((v) => evaluate(s, X86_64, 'ioctl', [0n, v]).action)).toEqual(['errno', 'allow', 'allow', 'errno']);
  });

  it("Docker's default.json shape: archMap -> native only, includes/excludes read conservatively", () => {
    const doc = {
      defaultAction: 'SCMP_ACT_ERRNO',
      defaultErrnoRet: 1,
      archMap: [{ architecture: X86_64, subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] }],
      syscalls: [
        { names: ['read', 'chown32', '_llseek'], action: 'SCMP_ACT_ALLOW' },
        { names: ['ptrace'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '4.8' } },
        { names: ['mount'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
        { names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 2114060288, op: 'SCMP_CMP_MASKED_EQ' }], excludes: { caps: ['CAP_SYS_ADMIN'], arches: ['s390', 's390x'] } },
        { names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 1, value: 2114060288, op: 'SCMP_CMP_MASKED_EQ' }], includes: { arches: ['s390', 's390x'] } },
        { names: ['arch_prctl'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['amd64', 'x32'] } },
        { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38, excludes: { caps: ['CAP_SYS_ADMIN'] } },
      ],
    };
    const s = importSeccompObject(doc, 'default.json', opts);
    expect(s.architectures).toEqual([X86_64]);
    const ev = (n: string, a: bigint[] = []) => evaluate(s, X86_64, n, a);
    expect(ev('read').action).toBe('allow');
    expect(ev('ptrace').action).toBe('errno'); // minKernel unknown: an allow is left out
    expect(ev('mount').action).toBe('errno'); // no caps
    expect(ev('clone', [0x3d0f00n]).action).toBe('allow');
    expect(ev('clone', [0x10000000n]).action).toBe('errno');
    expect(ev('arch_prctl').action).toBe('allow');
    expect(ev('clone3')).toEqual({ action: 'errno', errno: 38 });
    expect(s.syscalls!.flatMap((r) => r.names)).not.toContain('chown32');
    const withKernel = importSeccompObject(doc, 'default.json', { ...opts, kernelVersion: '6.1.0' });
    expect(evaluate(withKernel, X86_64, 'ptrace', []).action).toBe('allow');
  });

  it.each([
    ['not JSON', '{', '', /not valid JSON/],
    ['unknown action', '{"defaultAction":"SCMP_ACT_MAYBE"}', 'defaultAction', /unknown action/],
    ['flags', '{"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_LOG"]}', 'flags', /refuses seccomp flags/],
    ['negative value', '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["ioctl"],"action":"SCMP_ACT_ERRNO","args":[{"index":1,"op":"SCMP_CMP_EQ","value":-1}]}]}', 'syscalls[0].args[0].value', /unsigned 64-bit/],
    ['unknown op', '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["ioctl"],"action":"SCMP_ACT_ERRNO","args":[{"index":1,"op":"SCMP_CMP_XOR","value":1}]}]}', 'syscalls[0].args[0].op', /unknown comparison/],
    ['unknown syscall', '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"name":"frobnicate","action":"SCMP_ACT_ERRNO"}]}', 'syscalls[0].name', /unknown system call/],
  ])('%s', (_n, text, field, msg) => {
    const e = errorOf(() => importSeccompJson(text, 'x.json', opts));
    expect(e.file).toBe('x.json');
    expect(e.field ?? '').toBe(field);
    expect(e.message).toMatch(msg);
  });
});
