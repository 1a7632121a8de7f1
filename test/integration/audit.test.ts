/**
 * Audit mode (issue 13 item 2) under real runc through the shim with the agent it starts: a
 * job that smythos-alternative denies (a forked child, a second exec, a write-open outside the
 * writable paths) runs to the end under the same profile with `syscallFilter.audit: true`, and
 * `denials ID` shows each would-be denial with "audit: would deny" and its rule. The very same
 * profile without the line denies the job. It is never silent: `merge --diff` opens with it and
 * the applied annotation names it; a profile in audit mode is refused when an annotation
 * chooses it.
 *
 * Why this fails on the code before: the schema refused `audit` (strict), and nothing let a
 * denied call through.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { integrationSkipReason, makeBundle, REPO, type Bundle } from '../helpers/bundle.js';
import { shim } from '../helpers/shim.js';
import { agentWorkDir, removeAgentWorkDir } from '../helpers/agent.js';

const ADDON = join(REPO, 'addon', 'build', 'Release', 'openclaw_agent.node');
const skip = integrationSkipReason() ?? (existsSync(ADDON) ? undefined : 'the seccomp agent addon is not built (scripts/build-addon.sh)');
if (skip) console.warn(`SKIP integration/audit: ${skip}`);

const ROOT = mkdtempSync(join(tmpdir(), 'openclaw-audit-root-'));
let work: string;
let configToml: string;
let socket: string;
let profiles: string;
const bundles: Bundle[] = [];
let n = 0;
const id = () => `oc-audit-${process.pid}-${++n}`;

/** The job: a forked child that execs, a write-open outside writablePaths, then a second exec of its own. */
const JOB = ['/bin/sh', '-c', ['/bin/echo child-ran', 'if { echo x > /dev/shm/x; } 2>/dev/null; then echo shm=written; else echo shm=denied; fi', 'exec /bin/echo second-exec-ran'].join('\n')];

/** smythos-alternative as shipped, under another name, with or without `audit: true` (nothing else differs). */
function writeProfile(name: string, audit: boolean): string {
  const yaml = readFileSync(join(REPO, 'profiles', 'smythos-alternative.yaml'), 'utf8')
    .replace(/^ {2}name: smythos-alternative$/m, `  name: ${name}`)
    .replace(/^( {4}syscallFilter:\n)/m, audit ? '$1      audit: true\n' : '$1');
  expect(yaml).toContain(`name: ${name}`);
  expect(yaml.includes('audit: true')).toBe(audit);
  const file = join(profiles, `${name}.yaml`);
  writeFileSync(file, yaml);
  return file;
}

function run(profile: string, args: string[]) {
  const b = makeBundle(args);
  bundles.push(b);
  const cid = id();
  return { cid, b, ...shim(['--profile', profile, '--openclaw-config', configToml, '--root', ROOT, 'run', '--bundle', b.dir, cid]) };
}

/** The agent writes its log asynchronously: ask until every pattern shows (bounded by count, not time). */
function denials(args: string[], want: RegExp[]) {
  let r = shim(['--openclaw-config', configToml, 'denials', ...args]);
  for (let i = 0; i < 50 && !want.every((w) => w.test(r.stdout)); i++) r = shim(['--openclaw-config', configToml, 'denials', ...args]);
  return r;
}

describe.skipIf(skip)('audit mode: would-be denials are logged and allowed (real runc, the agent)', () => {
  let auditFile: string;
  let enforceFile: string;
  beforeAll(() => {
    ({ work, socket, configToml } = agentWorkDir('openclaw-audit-'));
    profiles = join(work, 'profiles');
    mkdirSync(profiles);
    writeFileSync(configToml, `${readFileSync(configToml, 'utf8')}[profiles]\ndirectories = ["${profiles}"]\n[annotations]\nallow_profile_selection = true\nallowed_profiles = ["smythos-audit", "smythos-enforce"]\n`);
    auditFile = writeProfile('smythos-audit', true);
    enforceFile = writeProfile('smythos-enforce', false);
  });
  afterAll(() => removeAgentWorkDir(work, socket, ROOT, bundles));

  it('under audit the job runs to the end, and denials shows each would-deny line with its rule', () => {
    const r = run('smythos-audit', JOB);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('child-ran\nshm=written\nsecond-exec-ran\n');
    expect(r.status).toBe(0);
    const want = [
      /profile smythos-audit {2}clone {2}EPERM {2}audit: would deny \(denied by the filter, spec\.isolation\.syscallFilter\.blacklist\[0\]\); allowed {2}flags=/,
      /profile smythos-audit {2}execve {2}EPERM {2}audit: would deny \(execve after the first execve\); allowed {2}path="\/bin\/echo"/,
      /profile smythos-audit {2}openat {2}EPERM {2}audit: would deny \(write-open outside writable paths\); allowed {2}path="\/dev\/shm\/x"/,
    ];
    const d = denials([r.cid], want);
    for (const w of want) expect(d.stdout).toMatch(w);
    // every line of this container is an audit line: nothing was denied
    const lines = d.stdout.split('\n').filter((l) => l.includes(r.cid));
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const l of lines) expect(l).toMatch(/audit: would deny .*; allowed/);
    const x = shim(['--openclaw-config', configToml, 'explain', r.cid]);
    expect(x.stdout).toMatch(/would be denied by: \S*smythos-audit\.yaml:\d+: .* \(audit mode: logged, not enforced\)/);
    const s = denials(['--summary', r.cid], [/audit/]);
    expect(s.stdout).toMatch(new RegExp(`^${r.cid}: \\d+ denials logged \\(all audit: would deny, allowed\\)`));
  });

  it('the same profile without audit denies the same job', () => {
    const r = run('smythos-enforce', JOB);
    expect(r.status).not.toBe(0);
    expect(r.stdout).not.toContain('child-ran');
    expect(r.stdout).not.toContain('second-exec-ran');
    expect(r.stderr).toMatch(/Operation not permitted/);
    const d = denials([r.cid], [/clone/]);
    expect(d.stdout).toMatch(/profile smythos-enforce {2}clone {2}EPERM {2}denied by the filter \(spec\.isolation\.syscallFilter\.blacklist\[0\]\)/);
    expect(d.stdout).not.toMatch(/audit: would deny/);
  });

  it('an ioctl outside the profile\'s six requests (the call goes to the agent whole): the kernel answers it under audit, EPERM without', () => {
    const job = ['/bin/blockdev', '--getsize64', '/dev/null'];
    const audited = run('smythos-audit', job);
    expect(audited.stderr).toMatch(/Inappropriate ioctl for device/);
    const d = denials([audited.cid], [/ioctl/]);
    expect(d.stdout).toMatch(/profile smythos-audit {2}ioctl {2}EPERM {2}audit: would deny \(denied by the filter, spec\.isolation\.syscallFilter\.defaultAction\); allowed/);
    // the requests the profile allows are not logged (blockdev's own, and the shell's none)
    expect(d.stdout.split('\n').filter((l) => /  ioctl  /.test(l)).length).toBe(1);
    const enforced = run('smythos-enforce', job);
    expect(enforced.stderr).toMatch(/Operation not permitted/);
  });

  it('merge --diff opens with AUDIT MODE and shows the annotations naming it', () => {
    const b = makeBundle(['/bin/true']);
    bundles.push(b);
    const m = shim(['--profile', 'smythos-audit', '--openclaw-config', configToml, 'merge', '--diff', '--bundle', b.dir]);
    expect(m.status).toBe(0);
    expect(m.stdout.split('\n')[0]).toMatch(new RegExp(`^AUDIT MODE \\(${auditFile.replace(/[.]/g, '\\.')}: spec\\.isolation\\.syscallFilter\\.audit\\): syscallFilter denials are logged as "audit: would deny" and allowed, not enforced; namespaces`));
    expect(m.stdout).toMatch(/^ {2}annotations: \(none\) -> .*"org\.openclaw\.profile\.applied"/m);
    expect(m.stderr).toMatch(/AUDIT MODE/);
    const merged = JSON.parse(shim(['--profile', 'smythos-audit', '--openclaw-config', configToml, 'merge', '--bundle', b.dir]).stdout) as { annotations: Record<string, string> };
    expect(merged.annotations['org.openclaw.profile.applied']).toBe('smythos-audit (audit)');
    expect(merged.annotations['org.openclaw.profile.audit']).toBe('syscallFilter denials are logged as "audit: would deny" and allowed, not enforced; namespaces, mounts, capabilities and cgroups are enforced');
    expect(shim(['--openclaw-config', configToml, 'validate', 'smythos-audit', 'smythos-enforce']).stdout).toMatch(/^ok smythos-audit \S+ sha256:[0-9a-f]{64} \(AUDIT MODE: syscall denials are logged, not enforced\)\nok smythos-enforce \S+ sha256:[0-9a-f]{64}\n$/);
    const e = shim(['--profile', enforceFile, '--openclaw-config', configToml, 'merge', '--diff', '--bundle', b.dir]);
    expect(e.stdout).not.toMatch(/AUDIT MODE|profile\.audit/);
  });

  it('an annotation choosing the audit profile is refused before runc runs, even though the config lists it; the enforcing one is accepted', () => {
    const pick = (name: string) => {
      const b = makeBundle(['/bin/true']);
      bundles.push(b);
      const cfg = b.readConfig();
      cfg.annotations = { 'org.openclaw.profile': name };
      b.writeConfig(cfg);
      return shim(['--openclaw-config', configToml, '--root', ROOT, 'run', '--bundle', b.dir, id()]);
    };
    const refused = pick('smythos-audit');
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/annotation org\.openclaw\.profile="smythos-audit" chooses a profile in audit mode/);
    const ok = pick('smythos-enforce');
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
  });
});
