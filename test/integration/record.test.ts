/**
 * `openclaw-runtime record` end to end (issue 13 item 1), with real runc and the real Python
 * image (scripts/build-python-image.sh): a job that reads /input and writes /output is recorded;
 * the profile passes validate and lint; the same job re-run under it through the shim (with the
 * seccomp agent the shim starts) passes; jobs doing what the recording did not see (fork, a
 * subprocess, an AF_INET socket, a write outside the recorded paths) are each denied, and each
 * denial shows in `denials ID` and `explain ID` with the profile field that denied it.
 * Skips, with the reason, when the image cannot be built here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { integrationSkipReason, REPO, SHIM, which } from '../helpers/bundle.js';
import { runc, shim } from '../helpers/shim.js';
import { agentWorkDir, stopAgent } from '../helpers/agent.js';

const ADDON = join(REPO, 'addon', 'build', 'Release', 'openclaw_agent.node');

function buildImage(): { tar?: string; reason?: string } {
  if (process.getuid?.() !== 0) return { reason: 'building the python image needs root' };
  const r = spawnSync(join(REPO, 'scripts', 'build-python-image.sh'), [], { encoding: 'utf8', timeout: 900_000 });
  if (r.status !== 0) return { reason: `scripts/build-python-image.sh failed (exit ${r.status}): ${`${r.stdout}${r.stderr}`.trim().split('\n').slice(-3).join(' | ')}` };
  return { tar: r.stdout.trim().split('\n')[0] };
}

const baseSkip = integrationSkipReason() ?? (existsSync(ADDON) ? undefined : 'the seccomp agent addon is not built (scripts/build-addon.sh)');
const image = baseSkip ? {} : buildImage();
const skip = baseSkip ?? image.reason;
if (skip) console.warn(`SKIP integration/record: ${skip}`);

const JOBS: Record<string, string> = {
  'main.py': `import csv, json
with open("/input/data.csv", newline="") as f:
    rows = list(csv.DictReader(f))
result = {"rows": len(rows), "total": sum(int(r["value"]) for r in rows)}
with open("/output/result.json", "w") as f:
    json.dump(result, f)
print("OK", json.dumps(result), flush=True)
`,
  'fork.py': 'import os\npid = os.fork()\nif pid == 0:\n    os._exit(0)\nos.waitpid(pid, 0)\nprint("OK forked")\n',
  'subproc.py': 'import subprocess\nprint("OK", subprocess.run(["/bin/true"]).returncode)\n',
  'inet.py': 'import socket\nsocket.socket(socket.AF_INET, socket.SOCK_STREAM)\nprint("OK socket")\n',
  'elsewhere.py': 'with open("/tmp/leak.txt", "w") as f:\n    f.write("x")\nprint("OK wrote /tmp")\n',
};

let work: string;
let socket: string;
let configToml: string;
let profilesDir: string;
let rootfs: string;
const root = () => join(work, 'runc-root');
let n = 0;
const cid = (what: string) => `oc-record-${process.pid}-${what}-${++n}`;

/** A bundle of its own (config.json only) over the shared, read-only rootfs, running `python3 /job/SCRIPT`. */
function bundle(script: string): string {
  const dir = join(work, `bundle-${script}-${++n}`);
  mkdirSync(dir);
  runc(['spec', '--bundle', dir]);
  const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  cfg.process.terminal = false;
  cfg.process.args = ['python3', `/job/${script}`];
  cfg.root = { path: rootfs, readonly: true };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(cfg, null, 2));
  return dir;
}

/** The agent writes its log asynchronously: ask until `want` shows (bounded by count, not time). */
function untilShown(args: string[], want: RegExp) {
  let r = shim(['--openclaw-config', configToml, ...args]);
  for (let i = 0; i < 50 && !want.test(r.stdout); i++) r = shim(['--openclaw-config', configToml, ...args]);
  return r;
}

describe.skipIf(skip)('record a real Python job, re-run it under the recorded profile (real runc, the agent)', () => {
  let recorded: ReturnType<typeof shim>;
  let profileFile: string;

  beforeAll(() => {
    ({ work, socket, configToml } = agentWorkDir('openclaw-record-'));
    profilesDir = join(work, 'profiles');
    mkdirSync(profilesDir);
    appendFileSync(configToml, `[profiles]\ndirectories = ["${profilesDir}"]\n`);
    for (const d of ['input', 'output', 'job']) mkdirSync(join(work, d));
    writeFileSync(join(work, 'input', 'data.csv'), 'name,value\na,1\nb,2\nc,39\n');
    for (const [name, text] of Object.entries(JOBS)) writeFileSync(join(work, 'job', name), text);
    rootfs = join(work, 'rootfs');
    mkdirSync(rootfs);
    chmodSync(rootfs, 0o755);
    const x = spawnSync('tar', ['-xf', image.tar!, '-C', rootfs, '--numeric-owner']);
    if (x.status !== 0) throw new Error(`tar: ${x.stderr}`);
    profileFile = join(profilesDir, 'py-job.yaml');
    recorded = shim(
      ['--openclaw-config', configToml, 'record', '--bundle', bundle('main.py'), '--name', 'py-job', '--out', profileFile,
        '--bind', `${join(work, 'input')}:/input:ro`, '--bind', `${join(work, 'output')}:/output:rw`, '--bind', `${join(work, 'job')}:/job:ro`],
      { timeout: 300_000 },
    );
  }, 600_000);

  afterAll(() => {
    for (const line of runc(['--root', root(), 'list', '-q']).stdout.split('\n').filter(Boolean)) runc(['--root', root(), 'delete', '--force', line]);
    stopAgent(socket);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('records the job: it ran unhindered, and the profile passes validate and lint', () => {
    expect(recorded.stderr).toMatch(/record: \d+ calls recorded \(\d+ by the workload\), job exit status 0/);
    expect(recorded.status).toBe(0);
    expect(recorded.stdout).toMatch(/^OK \{"rows": 3, "total": 42\}$/m);
    expect(JSON.parse(readFileSync(join(work, 'output', 'result.json'), 'utf8'))).toEqual({ rows: 3, total: 42 });
    const v = shim(['--openclaw-config', configToml, 'validate', profileFile]);
    expect(v.stdout).toMatch(/^ok py-job /);
    expect(v.status).toBe(0);
    const l = shim(['--openclaw-config', configToml, 'lint', profileFile]);
    expect(l.stdout).toMatch(/^ok py-job .*: no warnings$/m);
    expect(l.status).toBe(0);
  });

  it('the profile says what the run did, each rule with where it came from', () => {
    const text = readFileSync(profileFile, 'utf8');
    const p = parse(text);
    const f = p.spec.isolation.syscallFilter;
    expect(f.whitelist).toEqual(expect.arrayContaining(['read', 'openat', 'newfstatat', 'exit_group', 'write']));
    expect(f.whitelist).not.toContain('execve');
    expect(f.whitelist).not.toContain('socket');
    expect(f.blacklist).toEqual(['clone']);
    expect(f.readOnlyOpens).toBe(true);
    expect(p.spec.filesystem.allowedBindMounts).toEqual(expect.arrayContaining([
      { perContainer: 'output', destination: '/output', readonly: false },
      { source: join(work, 'input'), destination: '/input', readonly: true },
    ]));
    expect(text).toMatch(/openat O_WRONLY\|O_CREAT\|O_TRUNC\|O_CLOEXEC \/output\/result\.json, 1 call/);
    expect(text).toMatch(/- openat # \d+ calls; write-opens of \/output\/result\.json/);
    expect(text).toMatch(/- write # not recorded: runc refuses SCMP_ACT_NOTIFY for write/);
    // Records stay in the recording's root-only directory.
    const m = /records in (\S+)\/records\.jsonl/.exec(recorded.stderr);
    expect(m?.[1]?.startsWith(join(work, 'state', 'record', 'record-py-job-'))).toBe(true);
    const st = statSync(m![1]!);
    expect([st.mode & 0o777, st.uid]).toEqual([0o700, 0]);
    const lines = readFileSync(join(m![1]!, 'records.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toContainEqual({ syscall: 'openat', phase: 'workload', path: '/output/result.json', flags: 0o1101 | 0o2000000, count: 1 });
  });

  it('the same job under the recorded profile passes (output in its own per-container directory)', () => {
    const id = cid('rerun');
    const r = shim(['--openclaw-config', configToml, '--profile', 'py-job', '--root', root(), 'run', '--bundle', bundle('main.py'), id], { timeout: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^OK \{"rows": 3, "total": 42\}$/m);
    expect(r.status).toBe(0);
    expect(JSON.parse(readFileSync(join(work, 'jobs', id, 'output', 'result.json'), 'utf8'))).toEqual({ rows: 3, total: 42 });
    expect(shim(['--openclaw-config', configToml, 'denials', id]).stdout).toBe('');
  });

  it.each([
    ['fork.py', 'os.fork', /clone {2}EPERM {2}denied by the filter \(spec\.isolation\.syscallFilter\.blacklist\[0\]\) {2}flags=CLONE_CHILD_CLEARTID\|CLONE_CHILD_SETTID\|SIGCHLD/, /denied by: \S+py-job\.yaml:\d+: spec\.isolation\.syscallFilter\.blacklist\[0\]\n {2}to allow: {2}.*remove clone from the blacklist/],
    ['subproc.py', 'subprocess', /EPERM {2}denied by the filter \(spec\.isolation\.syscallFilter\.(defaultAction|blacklist\[0\])\)/, /denied by: \S+py-job\.yaml:\d+: spec\.isolation\.syscallFilter\.(defaultAction|blacklist\[0\])/],
    ['inet.py', 'an AF_INET socket', /socket {2}EPERM {2}denied by the filter \(spec\.isolation\.syscallFilter\.defaultAction\) {2}family=AF_INET/, /socket family=AF_INET.*\n {2}denied by: \S+py-job\.yaml:\d+: spec\.isolation\.syscallFilter\.defaultAction\n {2}to allow: {2}add socket to .*socketFamilies: \[AF_INET\]/],
    ['elsewhere.py', 'a write outside the recorded paths', /openat {2}EPERM {2}write-open outside writable paths .*path="\/tmp\/leak\.txt"/, /denied by: \S+py-job\.yaml:\d+: spec\.filesystem\.writablePaths\n {2}to allow: {2}add \/tmp to spec\.filesystem\.writablePaths/],
  ])('%s (%s) is denied, and shows in denials and explain', (script, _what, inDenials, inExplain) => {
    const id = cid(script.replace('.py', ''));
    const r = shim(['--openclaw-config', configToml, '--profile', 'py-job', '--root', root(), 'run', '--bundle', bundle(script), id], { timeout: 120_000 });
    expect(r.stdout).not.toMatch(/^OK/m);
    expect(r.stderr).toMatch(/PermissionError: \[Errno 1\] Operation not permitted/);
    expect(r.status).not.toBe(0);
    expect(untilShown(['denials', id], inDenials).stdout).toMatch(inDenials);
    expect(untilShown(['explain', id], inExplain).stdout).toMatch(inExplain);
  });

  it('a job that never starts: an error naming the bundle, and no profile written', () => {
    const out = join(profilesDir, 'never.yaml');
    const r = shim(['--openclaw-config', configToml, 'record', '--rootfs', rootfs, '--name', 'never', '--out', out, '--', '/does/not/exist'], { timeout: 120_000 });
    expect(r.stderr).toMatch(/record-never-\d+\/config\.json: the job never started \(runc exit status 1, 0 seccomp listeners handed over\): nothing was recorded and no profile written/);
    expect(r.status).toBe(1);
    expect(existsSync(out)).toBe(false);
  });

  const crun = which('crun');
  if (!crun) console.warn('SKIP integration/record under crun: crun is not installed');
  it.skipIf(!crun)('under crun 1.8.1 too: the recording runs (its init hands the listener over through a helper), and the profile runs the job', () => {
    // crun refuses this machine's hybrid cgroup layout as is (FIELD-NOTES): hide the v2 mount, as denials.test.ts does.
    const hide = existsSync('/sys/fs/cgroup/unified') ? 'mount -t tmpfs tmpfs /sys/fs/cgroup/unified && ' : '';
    const out = join(profilesDir, 'py-job-crun.yaml');
    const r = spawnSync('unshare', ['-m', 'sh', '-c', `${hide}exec "$0" "$@"`, SHIM, '--openclaw-config', configToml, 'record', '--runtime', 'crun', '--bundle', bundle('main.py'), '--name', 'py-job-crun', '--out', out,
      '--bind', `${join(work, 'input')}:/input:ro`, '--bind', `${join(work, 'output')}:/output:rw`, '--bind', `${join(work, 'job')}:/job:ro`], { encoding: 'utf8', env: { ...process.env, OPENCLAW_CONFIG: '' }, timeout: 300_000 });
    expect(r.stderr).toMatch(/job exit status 0/);
    expect(r.stdout).toMatch(/^OK \{"rows": 3, "total": 42\}$/m);
    expect(r.status).toBe(0);
    expect(parse(readFileSync(out, 'utf8')).metadata.description).toMatch(/under crun/);
    const id = cid('crun-rerun');
    const again = shim(['--openclaw-config', configToml, '--profile', 'py-job-crun', '--root', root(), 'run', '--bundle', bundle('main.py'), id], { timeout: 120_000 });
    expect(again.stdout).toMatch(/^OK \{"rows": 3, "total": 42\}$/m);
    expect(again.status).toBe(0);
  });
});
