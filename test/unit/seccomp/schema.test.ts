/**
 * The syscallFilter schema takes its words from the vocabulary the compiler reads: each word
 * the vocabulary has is accepted by the schema exactly when a profile may use it, and compiles
 * to the kind the vocabulary says; each one the vocabulary lacks is refused, with the word and
 * the accepted ones named. Fails when a word is added on one side only.
 */
import { describe, expect, it } from 'vitest';
import { SeccompActionSchema, SeccompArgSchema, SyscallFilterSchema } from '../../../shim/seccomp/schema.js';
import { ProfileSchema } from '../../../shim/profile/schema.js';
import { ACTION_WORDS, ACTION_TAKES_ERRNO, ARCHES, CMP_BY_OCI, CMP_OPS, OCI_ACTION } from '../../../shim/seccomp/vocabulary.js';
import { AGENT, compile } from './helpers.js';

describe('seccomp schema: action words are the vocabulary\'s', () => {
  it.each(Object.entries(ACTION_WORDS))('%s (%s): accepted unless a trace word, and compiled to its kind', (word, kind) => {
    const parsed = SeccompActionSchema.safeParse(word);
    expect(parsed.success).toBe(kind !== 'trace');
    if (!parsed.success) return;
    const rule = { names: ['syslog'], action: parsed.data, ...(ACTION_TAKES_ERRNO[kind] ? { errno: 'EPERM' } : {}) };
    const s = compile({ defaultAction: 'allow', rules: [rule] } as never, kind === 'notify' ? { agent: AGENT } : {});
    const emitted = s.syscalls?.find((r) => r.names.includes('syslog'));
    if (kind === 'allow') expect(emitted).toBeUndefined(); // the default's own action is never emitted
    else expect(emitted?.action).toBe(OCI_ACTION[kind]);
  });

  it('and no other word', () => {
    for (const word of SeccompActionSchema.options) expect(Object.keys(ACTION_WORDS)).toContain(word);
    for (const op of SeccompArgSchema.shape.op.options) expect(Object.keys(CMP_BY_OCI)).toContain(op);
  });

  it.each(['allw', 'Allow', 'SCMP_ACT_MAYBE', ''])('"%s" is refused', (word) => {
    expect(SeccompActionSchema.safeParse(word).success).toBe(false);
  });
});

describe('seccomp schema: comparison operators are the vocabulary\'s', () => {
  it.each(CMP_OPS)('SCMP_CMP_%s is accepted and known to the compiler', (op) => {
    const parsed = SeccompArgSchema.parse({ index: 0, op: `SCMP_CMP_${op}`, value: 1 });
    expect(CMP_BY_OCI[parsed.op]).toBe(op);
  });
  it.each(['SCMP_CMP_XOR', 'EQ', 'SCMP_CMP_eq'])('%s is refused', (op) => {
    expect(SeccompArgSchema.safeParse({ index: 0, op, value: 1 }).success).toBe(false);
  });
});

describe('seccomp schema: architectures are the syscall table\'s', () => {
  it.each(ARCHES.map((a) => a.scmp))('%s is accepted', (arch) => {
    expect(SyscallFilterSchema.safeParse({ defaultAction: 'allow', architectures: [arch] }).success).toBe(true);
  });
  it.each(['SCMP_ARCH_VAX', 'x86_64', 'SCMP_ARCH_MIPS'])('%s is refused, naming it and the known ones', (arch) => {
    const r = SyscallFilterSchema.safeParse({ defaultAction: 'allow', architectures: ['SCMP_ARCH_X86_64', arch] });
    expect(r.success).toBe(false);
    const issue = r.error!.issues[0]!;
    expect(issue.path).toEqual(['architectures', 1]);
    expect(issue.message).toContain(`unknown architecture "${arch}"`);
    for (const a of ARCHES) expect(issue.message).toContain(a.scmp);
  });
});

describe('the profile schema composes the seccomp one', () => {
  it('at spec.isolation.syscallFilter and at spec.syscallFilter', () => {
    const head = { apiVersion: 'security.openclaw.org/v1alpha1', kind: 'SandboxProfile', metadata: { name: 'p' } };
    const filter = { defaultAction: 'errno', architectures: ['SCMP_ARCH_VAX'] };
    for (const spec of [{ isolation: { syscallFilter: filter } }, { syscallFilter: filter }]) {
      const r = ProfileSchema.safeParse({ ...head, spec });
      expect(r.success).toBe(false);
      expect(r.error!.issues[0]!.message).toMatch(/unknown architecture "SCMP_ARCH_VAX"/);
    }
  });
});
