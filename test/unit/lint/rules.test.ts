/**
 * lint on purpose-made bad profiles: each rule fires on the profile written to trip it, names
 * its field, and stays quiet on the same profile with the fix applied. The shipped profiles
 * lint clean (warnings they keep on purpose are accepted in their metadata, with a reason).
 */
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { lintProfile } from '../../../shim/lint/rules.js';
import { compileProfileSeccomp } from '../../../shim/profile/compile-profile.js';
import { compileInputsOf } from '../../../shim/profile/compile-inputs.js';
import { readProfileFile } from '../../../shim/profile/load.js';
import { RuntimeConfigSchema } from '../../../shim/config/schema.js';
import type { LoadedProfile } from '../../../shim/profile/load.js';
import { loadedProfile } from '../../helpers/merge-inputs.js';

const config = RuntimeConfigSchema.parse({});
const lint = (p: LoadedProfile) => lintProfile({ profile: p, seccomp: compileProfileSeccomp(p, compileInputsOf(config))?.spec });
const ids = (spec: Record<string, unknown>) => lint(loadedProfile(spec)).warnings.map((w) => `${w.id} ${w.field}`);

const BASE_ALLOW = ['read', 'write', 'close', 'exit', 'exit_group', 'brk', 'mmap', 'munmap', 'rt_sigreturn', 'futex', 'openat'];
const ro = { filesystem: { readonlyRootfs: true } };

describe('lint rules on purpose-made profiles', () => {
  it.each([
    [
      'OC101: fork and exec open under the agent',
      { ...ro, syscallFilter: { defaultAction: 'errno', whitelist: [...BASE_ALLOW, 'clone', 'fork', 'execve', 'wait4'], readOnlyOpens: true } },
      { ...ro, syscallFilter: { defaultAction: 'errno', whitelist: [...BASE_ALLOW, 'wait4'], readOnlyOpens: true } },
      'OC101 spec.isolation.syscallFilter',
    ],
    [
      'OC102: exec left open beside agent-gated write-opens',
      { ...ro, syscallFilter: { defaultAction: 'errno', whitelist: [...BASE_ALLOW, 'execve'], readOnlyOpens: true } },
      { ...ro, syscallFilter: { defaultAction: 'errno', whitelist: BASE_ALLOW, readOnlyOpens: true } },
      'OC102 spec.isolation.syscallFilter',
    ],
    [
      'OC103: io_uring allowed by a deny-list',
      { ...ro, syscallFilter: { defaultAction: 'allow', blacklist: ['ptrace', 'bpf', 'userfaultfd', 'perf_event_open', 'kexec_load', 'kexec_file_load', 'init_module', 'finit_module', 'open_by_handle_at', 'personality'], socketFamilies: ['AF_UNIX'] } },
      { ...ro, syscallFilter: { defaultAction: 'allow', blacklist: ['ptrace', 'bpf', 'userfaultfd', 'perf_event_open', 'kexec_load', 'kexec_file_load', 'init_module', 'finit_module', 'open_by_handle_at', 'personality', 'io_uring_setup', 'io_uring_enter', 'io_uring_register'], socketFamilies: ['AF_UNIX'] } },
      'OC103 spec.isolation.syscallFilter',
    ],
    [
      'OC104: write-opens on a writable root',
      { syscallFilter: { defaultAction: 'errno', whitelist: BASE_ALLOW } },
      { syscallFilter: { defaultAction: 'errno', whitelist: BASE_ALLOW }, filesystem: { readonlyRootfs: true } },
      'OC104 spec.filesystem.readonlyRootfs',
    ],
    [
      'OC105: netlink through socket()',
      { ...ro, syscallFilter: { defaultAction: 'errno', whitelist: [...BASE_ALLOW, 'socket'] } },
      { ...ro, syscallFilter: { defaultAction: 'errno', whitelist: [...BASE_ALLOW, 'socket'], socketFamilies: ['AF_UNIX', 'AF_INET'] } },
      'OC105 spec.isolation.syscallFilter.socketFamilies',
    ],
    [
      'OC106: a writable bind every container shares',
      { ...ro, filesystem: { readonlyRootfs: true, allowedBindMounts: [{ source: '/tmp/output', destination: '/output', readonly: false }] } },
      { ...ro, filesystem: { readonlyRootfs: true, allowedBindMounts: [{ source: '/tmp/input', destination: '/input', readonly: true }] } },
      'OC106 spec.filesystem.allowedBindMounts[0].source',
    ],
    [
      'OC107: personality with any argument',
      { ...ro, syscallFilter: { defaultAction: 'errno', whitelist: [...BASE_ALLOW, 'personality'] } },
      { ...ro, syscallFilter: { defaultAction: 'errno', whitelist: BASE_ALLOW, rules: [{ names: ['personality'], action: 'allow', args: [{ index: 0, op: 'SCMP_CMP_EQ', value: 0xffffffff }] }] } },
      'OC107 spec.isolation.syscallFilter',
    ],
    [
      'OC107: a 32-bit table admitted',
      { ...ro, syscallFilter: { defaultAction: 'errno', architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'], whitelist: BASE_ALLOW } },
      { ...ro, syscallFilter: { defaultAction: 'errno', architectures: ['SCMP_ARCH_X86_64'], whitelist: BASE_ALLOW } },
      'OC107 spec.isolation.syscallFilter.architectures',
    ],
    ['OC108: swap above memory', { ...ro, cgroups: { memory: '1Gi', memorySwap: '2Gi' } }, { ...ro, cgroups: { memory: '1Gi' } }, 'OC108 spec.isolation.cgroups.memorySwap'],
    ['OC108: swap without memory', { ...ro, cgroups: { memorySwap: '2Gi' } }, { ...ro, cgroups: { memory: '1Gi', memorySwap: '1Gi' } }, 'OC108 spec.isolation.cgroups.memorySwap'],
  ])('%s', (_name, bad, fixed, want) => {
    expect(ids(bad)).toContain(want);
    expect(ids(fixed).filter((w) => w.startsWith(want.split(' ')[0]!))).toEqual([]);
  });

  it('every warning has an id, a reason and a fix', () => {
    const all = lint(loadedProfile({ syscallFilter: { defaultAction: 'allow' }, cgroups: { memorySwap: '1Gi' } })).warnings;
    expect(all.length).toBeGreaterThan(3);
    for (const w of all) {
      expect(w.id).toMatch(/^OC1\d\d$/);
      expect(w.reason.length).toBeGreaterThan(20);
      expect(w.fix.length).toBeGreaterThan(10);
    }
  });

  it('an accepted warning is reported as accepted with its reason; a stale accept is reported', () => {
    const p = loadedProfile({ syscallFilter: { defaultAction: 'errno', whitelist: BASE_ALLOW } });
    p.profile.metadata.acceptedWarnings = [{ id: 'OC104', reason: 'the image layer is per container' }, { id: 'OC103', reason: 'nothing risky here at all' }];
    const r = lint(p);
    expect(r.warnings.map((w) => w.id)).not.toContain('OC104');
    expect(r.accepted.map((w) => [w.id, w.acceptedBecause])).toEqual([['OC104', 'the image layer is per container']]);
    expect(r.staleAccepts).toEqual(['OC103']);
  });
});

describe('OC109: audit mode', () => {
  const strict = { ...ro, syscallFilter: { defaultAction: 'errno', whitelist: [...BASE_ALLOW, 'wait4'], readOnlyOpens: true } };
  const lintAsCommand = (p: LoadedProfile) => lintProfile({ profile: p, seccomp: compileProfileSeccomp(p, compileInputsOf(config), { ignoreAudit: true })?.spec });
  it('warns when audit is on, naming the field, and not otherwise', () => {
    const audit = lintAsCommand(loadedProfile({ ...strict, syscallFilter: { ...strict.syscallFilter, audit: true } })).warnings;
    expect(audit.map((w) => `${w.id} ${w.field}`)).toEqual(['OC109 spec.isolation.syscallFilter.audit']);
    expect(audit[0]?.reason).toMatch(/would deny.*then allowed/);
    expect(lintAsCommand(loadedProfile(strict)).warnings).toEqual([]);
  });
  it('cannot be accepted away: audit mode is never silently on', () => {
    const p = loadedProfile({ ...strict, syscallFilter: { ...strict.syscallFilter, audit: true } });
    p.profile.metadata.acceptedWarnings = [{ id: 'OC109', reason: 'we are rolling this profile out this week' }];
    const r = lintAsCommand(p);
    expect(r.warnings.map((w) => w.id)).toEqual(['OC109']);
    expect(r.accepted).toEqual([]);
  });
  it('the other rules judge the filter the profile enforces: audit hides no warning', () => {
    const bad = { ...ro, syscallFilter: { defaultAction: 'errno', whitelist: [...BASE_ALLOW, 'execve'], readOnlyOpens: true } };
    const plain = lintAsCommand(loadedProfile(bad)).warnings.map((w) => w.id);
    expect(plain).toContain('OC102');
    expect(lintAsCommand(loadedProfile({ ...bad, syscallFilter: { ...bad.syscallFilter, audit: true } })).warnings.map((w) => w.id)).toEqual([...plain, 'OC109']);
  });
});

describe('shipped profiles', () => {
  const dir = join(__dirname, '..', '..', '..', 'profiles');
  it.each(readdirSync(dir).filter((f) => f.endsWith('.yaml')))('%s lints clean', (f) => {
    const r = lint(readProfileFile(join(dir, f)));
    expect(r.warnings.map((w) => `${w.id} ${w.field}: ${w.reason}`)).toEqual([]);
    expect(r.staleAccepts).toEqual([]);
  });
});
