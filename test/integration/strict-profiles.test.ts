/**
 * The shipped strict profiles (smythos-alternative, model-backend) under real runc, through
 * the shim, with the seccomp agent the shim starts on demand: they start, run a workload,
 * and keep their promises (no second exec, no write-open outside the writable list, no
 * process creation, threads fine). Checked from inside with the builtins-only verifier.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { integrationSkipReason, makeBundle, parseFacts, removeTemplate, REPO, type Bundle } from '../helpers/bundle.js';
import { runc, shim } from '../helpers/shim.js';
import { stopAgent } from '../helpers/agent.js';

const ADDON = join(REPO, 'addon', 'build', 'Release', 'openclaw_agent.node');
const skip = integrationSkipReason() ?? (existsSync(ADDON) ? undefined : 'the seccomp agent addon is not built (scripts/build-addon.sh)');
if (skip) console.warn(`SKIP integration/strict-profiles: ${skip}`);

const ROOT = mkdtempSync(join(tmpdir(), 'openclaw-strict-root-'));
let work: string;
let configToml: string;
let socket: string;
const bundles: Bundle[] = [];
let n = 0;
const id = () => `oc-strict-${process.pid}-${++n}`;

function bundle(args: string[]): Bundle {
  const b = makeBundle(args);
  bundles.push(b);
  return b;
}

function oc(profile: string, args: string[]) {
  return shim(['--profile', profile, '--openclaw-config', configToml, '--root', ROOT, ...args]);
}

describe.skipIf(skip)('shipped strict profiles under real runc with the seccomp agent', () => {
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'openclaw-strict-'));
    chmodSync(work, 0o711); // the state dir below it must be reachable by the mapped ids
    socket = join(work, 'agent', 'agent.sock');
    configToml = join(work, 'config.toml');
    writeFileSync(configToml, `[state]\ndir = "${join(work, 'state')}"\n[jobs]\ndir = "${join(work, 'jobs')}"\n[agent]\nsocket = "${socket}"\ndenial_log = "${join(work, 'denials.log')}"\n`);
  });
  afterAll(() => {
    for (const line of runc(['--root', ROOT, 'list', '-q']).stdout.split('\n').filter(Boolean)) runc(['--root', ROOT, 'delete', '--force', line]);
    stopAgent(socket);
    for (const b of bundles) b.cleanup();
    removeTemplate();
    rmSync(work, { recursive: true, force: true });
    rmSync(ROOT, { recursive: true, force: true });
  });

  it('smythos-alternative: starts, and the kernel state matches the profile', () => {
    const b = bundle(['/bin/verify']);
    const cid = id();
    const r = oc('smythos-alternative', ['run', '--bundle', b.dir, cid]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const f = parseFacts(r.stdout);
    expect(f).toMatchObject({
      seccomp: '2',
      no_new_privs: '1',
      cap_eff: '0000000000000000',
      uid_map: '0:100000:65536',
      root_mount: 'ro',
      root_writable: 'no',
      output_writable: 'yes',
      pids_v1: '32',
      memory_v1: String(512 * 1024 * 1024),
      net_ifaces: 'lo',
      visible_pids: '1',
      done: '1',
    });
    // /output is this container's own directory under [jobs] dir, kept after it ended.
    expect(statSync(join(work, 'jobs', cid, 'output', '.openclaw-probe')).uid).toBe(100000);
  });

  it('smythos-alternative: a second exec, process creation and a write-open outside the list fail; /output works', () => {
    const cid = id();
    const script = [
      'echo written > /output/job-' + cid,
      'if { true > /dev/shm/x; } 2>/dev/null; then echo shm=written; else echo shm=denied; fi',
      'exec /bin/echo second-exec-ran',
    ].join('\n');
    const b = bundle(['/bin/sh', '-c', script]);
    const r = oc('smythos-alternative', ['run', '--bundle', b.dir, cid]);
    expect(readFileSync(join(work, 'jobs', cid, 'output', `job-${cid}`), 'utf8')).toBe('written\n');
    expect(r.stdout).toContain('shm=denied');
    expect(r.stdout).not.toContain('second-exec-ran');
    expect(r.stderr).toMatch(/Operation not permitted/);
    expect(r.status).not.toBe(0);
    // The agent writes its denial log asynchronously: look until the line is there.
    let denials = shim(['--openclaw-config', configToml, 'denials', cid]);
    for (let i = 0; i < 50 && !/execve/.test(denials.stdout); i++) denials = shim(['--openclaw-config', configToml, 'denials', cid]);
    expect(denials.stdout).toMatch(/execve/);
  });

  it('the same bundle run twice (config.json merged in place): starts again, the filter unchanged', () => {
    const b = bundle(['/bin/verify']);
    const first = oc('smythos-alternative', ['run', '--bundle', b.dir, id()]);
    expect(first.status, first.stderr).toBe(0);
    const merged = readFileSync(b.configPath, 'utf8');
    const second = oc('smythos-alternative', ['run', '--bundle', b.dir, id()]);
    expect(second.status, second.stderr).toBe(0);
    expect(parseFacts(second.stdout)).toMatchObject({ seccomp: '2', uid_map: '0:100000:65536', done: '1' });
    const again = JSON.parse(readFileSync(b.configPath, 'utf8'));
    expect(again.linux.seccomp).toEqual(JSON.parse(merged).linux.seccomp);
  });

  it.each(['smythos-alternative', 'model-backend'])('%s: process creation is denied (fork from the shell)', (profile) => {
    const b = bundle(['/bin/sh', '-c', '/bin/true; echo after-fork']);
    const r = oc(profile, ['run', '--bundle', b.dir, id()]);
    expect(r.stderr).toMatch(/can't fork: Operation not permitted/);
    expect(r.stdout).not.toContain('after-fork');
  });

  it('model-backend: starts, no second exec, no write-open', () => {
    const cid = id();
    const b = bundle(['/bin/sh', '-c', 'if { true > /dev/shm/y; } 2>/dev/null; then echo shm=written; else echo shm=denied; fi; exec /bin/echo second-exec-ran']);
    const r = oc('model-backend', ['run', '--bundle', b.dir, cid]);
    expect(r.stderr).not.toMatch(/openclaw-runtime:/);
    expect(r.stdout).toContain('shm=denied');
    expect(r.stdout).not.toContain('second-exec-ran');
    expect(r.stderr).toMatch(/Operation not permitted/);
  });

  it('without an agent socket directory it can create, create fails with a reason naming the agent', () => {
    const badConfig = join(work, 'bad.toml');
    // A socket "directory" that is a regular file: the agent cannot be reached or started.
    writeFileSync(badConfig, `[state]\ndir = "${join(work, 'state')}"\n[agent]\nsocket = "${badConfig}/agent.sock"\n`);
    const b = bundle(['/bin/true']);
    const before = readFileSync(b.configPath);
    const r = shim(['--profile', 'smythos-alternative', '--openclaw-config', badConfig, '--root', ROOT, 'create', '--bundle', b.dir, id()], { detached: true });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/agent/i);
    expect(readFileSync(b.configPath).equals(before)).toBe(true);
  });
});
