/**
 * What was applied is recorded, and audit mode is never silent: a profile with
 * syscallFilter.audit names it in the applied annotation and in org.openclaw.profile.audit; a
 * caller cannot claim audit (or hide it) through config.json. And the creator of a container
 * cannot choose a profile in audit mode by annotation (pipeline.ts refuseAuditByAnnotation).
 */
import { describe, expect, it } from 'vitest';
import { APPLIED_PROFILE_ANNOTATION, AUDIT_ANNOTATION, makeAnnotationsModifier } from '../../../shim/merge/annotations.js';
import { compileProfileSeccomp } from '../../../shim/profile/compile-profile.js';
import { compileInputsOf } from '../../../shim/profile/compile-inputs.js';
import { refuseAuditByAnnotation } from '../../../shim/pipeline.js';
import { RuntimeConfigSchema } from '../../../shim/config/schema.js';
import { isOpenclawError } from '../../../shim/errors.js';
import type { Spec } from '../../../shim/oci/types.js';
import { loadedProfile, mergeInputs } from '../../helpers/merge-inputs.js';

const config = RuntimeConfigSchema.parse({});
const RUNC_INIT_OK = ['read', 'write', 'openat', 'close', 'getpid', 'epoll_ctl', 'epoll_pwait', 'fstatfs', 'getdents64', 'futex', 'nanosleep', 'sched_yield', 'tgkill', 'rt_sigreturn', 'rt_sigprocmask', 'sigaltstack', 'gettid', 'mmap', 'munmap', 'madvise', 'exit', 'exit_group', 'clone', 'wait4', 'kill'];
const filter = (extra: Record<string, unknown> = {}) => ({ syscallFilter: { defaultAction: 'errno', whitelist: RUNC_INIT_OK, blacklist: ['execve'], rules: [0x5401, 0x5413, 0x541b, 0x5421, 0x5450, 0x5451].map((v) => ({ names: ['ioctl'], action: 'allow', args: [{ index: 1, op: 'SCMP_CMP_EQ', value: v }] })), ...extra } });

function annotate(profileSpec: Record<string, unknown>, callerAnnotations: Record<string, string> = {}): Record<string, string> {
  const inputs = mergeInputs(profileSpec);
  inputs.compiledFilter = compileProfileSeccomp(inputs.profile, compileInputsOf(config));
  const spec: Spec = { ociVersion: '1.0.2', annotations: { ...callerAnnotations } } as Spec;
  makeAnnotationsModifier(inputs).apply({ spec } as never);
  return spec.annotations ?? {};
}

describe('annotations: audit mode is named', () => {
  it('enforcing: the profile name only, no audit annotation', () => {
    const a = annotate(filter());
    expect(a[APPLIED_PROFILE_ANNOTATION]).toBe('test');
    expect(a[AUDIT_ANNOTATION]).toBeUndefined();
  });
  it('audit: "NAME (audit)" and a line saying what is not enforced, and what still is', () => {
    const a = annotate(filter({ audit: true }));
    expect(a[APPLIED_PROFILE_ANNOTATION]).toBe('test (audit)');
    expect(a[AUDIT_ANNOTATION]).toBe('syscallFilter denials are logged as "audit: would deny" and allowed, not enforced; namespaces, mounts, capabilities and cgroups are enforced');
    // what the compiler had to leave in the kernel is named
    const withEnforced = mergeInputs(filter({ audit: true }));
    const compiled = compileProfileSeccomp(withEnforced.profile, compileInputsOf(config))!;
    withEnforced.compiledFilter = { ...compiled, spec: { ...compiled.spec, listenerMetadata: JSON.stringify({ audit: { enforced: ['ioctl', 'keyctl'] } }) } };
    const spec: Spec = { ociVersion: '1.0.2' } as Spec;
    makeAnnotationsModifier(withEnforced).apply({ spec } as never);
    expect(spec.annotations?.[AUDIT_ANNOTATION]).toMatch(/not enforced; still enforced: ioctl, keyctl; namespaces/);
  });
  it("a caller's audit annotation is removed under an enforcing profile, and replaced under an auditing one", () => {
    expect(annotate(filter(), { [AUDIT_ANNOTATION]: 'on', [APPLIED_PROFILE_ANNOTATION]: 'x (audit)' })).not.toHaveProperty(AUDIT_ANNOTATION);
    expect(annotate(filter({ audit: true }), { [AUDIT_ANNOTATION]: 'off' })[AUDIT_ANNOTATION]).toMatch(/^syscallFilter denials are logged/);
  });
});

describe('audit mode is the operator\'s choice, never the annotation\'s', () => {
  const chosen = (spec: Record<string, unknown>) => ({ profile: loadedProfile(spec, 'rollout'), compiledFilter: undefined });
  const refusal = (source: 'flag' | 'annotation' | 'config-default', spec: Record<string, unknown>) => {
    try {
      refuseAuditByAnnotation({ path: '/profiles/rollout.yaml', source, requested: 'rollout' }, chosen(spec), '/etc/openclaw/config.toml');
      return undefined;
    } catch (e) {
      if (isOpenclawError(e)) return e;
      throw e;
    }
  };
  it('an audit profile chosen by annotation is refused, naming the annotation and the fix', () => {
    const e = refusal('annotation', filter({ audit: true }));
    expect(e?.file).toBe('config.json');
    expect(e?.field).toBe('annotations["org.openclaw.profile"]');
    expect(e?.problem).toMatch(/audit mode/);
    expect(e?.fix).toMatch(/--profile|allowed_profiles/);
  });
  it.each([
    ['flag', true],
    ['config-default', true],
    ['annotation', false],
  ] as const)('chosen by %s, audit %s: allowed', (source, audit) => {
    expect(refusal(source, filter(audit ? { audit: true } : {}))).toBeUndefined();
  });
});
