/**
 * Host paths against a hostile local user, under real runc through the shim (issue #9, the
 * host-compromise break). An unprivileged user (uid 1000, via setpriv) plants symlinks and
 * directories in /tmp; the shim, running as root, must never follow them, never chown or
 * chmod what it did not create, and refuse with an error that names the field. And jobs of
 * the shipped smythos-alternative profile get input and output directories of their own, which
 * outlive the container until `jobs prune`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, lchownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { integrationSkipReason, makeBundle, removeTemplate, REPO, which, type Bundle } from '../helpers/bundle.js';
import { runc, shim } from '../helpers/shim.js';
import { stopAgent } from '../helpers/agent.js';

const HOSTILE = 1000;
const ADDON = join(REPO, 'addon', 'build', 'Release', 'openclaw_agent.node');
const skip = integrationSkipReason() ?? (which('setpriv') ? undefined : 'setpriv (util-linux) is not installed: it plays the hostile local user');
if (skip) console.warn(`SKIP integration/host-paths: ${skip}`);
const agentSkip = skip ?? (existsSync(ADDON) ? undefined : 'the seccomp agent addon is not built (scripts/build-addon.sh)');
if (agentSkip && !skip) console.warn(`SKIP integration/host-paths (per-container jobs): ${agentSkip}`);

const ROOT = mkdtempSync(join(tmpdir(), 'openclaw-hostpaths-root-'));
/** Paths the hostile user plants directly in the shared /tmp, removed afterwards. */
const planted: string[] = [];
const bundles: Bundle[] = [];
let work: string;
let configToml: string;
/** The same without a [jobs] table: the fixed-path cases need nothing newer than the break itself. */
let fixedToml: string;
let socket: string;
let n = 0;
const id = () => `oc-hostpaths-${process.pid}-${++n}`;

/** Runs a shell command as the hostile local user (not root, no groups). */
function asHostile(script: string): void {
  execFileSync('setpriv', ['--reuid', String(HOSTILE), '--regid', String(HOSTILE), '--clear-groups', '--', 'sh', '-c', script]);
}

function tmpName(what: string): string {
  const p = join(tmpdir(), `openclaw-hostile-${process.pid}-${what}`);
  planted.push(p);
  return p;
}

function bundle(args: string[]): Bundle {
  const b = makeBundle(args);
  bundles.push(b);
  return b;
}

/** A profile with one writable bind of a fixed host path, as smythos-alternative had (/tmp/output). */
function fixedBindProfile(name: string, source: string): string {
  const path = join(work, `${name}.yaml`);
  writeFileSync(path, [
    'apiVersion: security.openclaw.org/v1alpha1',
    'kind: SandboxProfile',
    `metadata: {name: ${name}}`,
    'spec:',
    '  isolation:',
    '    namespaces: {user: isolated-with-uid-mapping, mount: isolated-with-bind}',
    '  filesystem:',
    '    allowedBindMounts:',
    `      - {source: ${source}, destination: /output, readonly: false, create: true}`,
    '',
  ].join('\n'));
  return path;
}

/** A root-owned host directory with a 0755 and a 0600 file, the target a hostile link points at. */
function rootOwnedVictim(name: string): { dir: string; check(): void } {
  const dir = join(work, name);
  mkdirSync(dir, { mode: 0o755 });
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'tool'), '#!/bin/sh\necho original\n', { mode: 0o755 });
  writeFileSync(join(dir, 'secret'), 'root only\n', { mode: 0o600 });
  return {
    dir,
    check() {
      const st = statSync(dir);
      expect([st.uid, st.gid, st.mode & 0o7777]).toEqual([0, 0, 0o755]);
      expect(readFileSync(join(dir, 'tool'), 'utf8')).toBe('#!/bin/sh\necho original\n');
      expect(readFileSync(join(dir, 'secret'), 'utf8')).toBe('root only\n');
      expect(statSync(join(dir, 'secret')).uid).toBe(0);
    },
  };
}

const WRITE_BOTH = ['/bin/sh', '-c', 'echo pwned > /output/tool; echo pwned >> /output/secret; echo wrote'];

function oc(profile: string, args: string[], config = fixedToml) {
  return shim(['--profile', profile, '--openclaw-config', config, '--root', ROOT, ...args]);
}

describe.skipIf(skip)('host paths against a hostile local user (real runc)', () => {
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'openclaw-hostpaths-'));
    chmodSync(work, 0o711); // the state and jobs dirs below it must be reachable by the mapped ids
    socket = join(work, 'agent', 'agent.sock');
    configToml = join(work, 'config.toml');
    writeFileSync(configToml, `[state]\ndir = "${join(work, 'state')}"\n[jobs]\ndir = "${join(work, 'jobs')}"\n[agent]\nsocket = "${socket}"\ndenial_log = "${join(work, 'denials.log')}"\n`);
    fixedToml = join(work, 'fixed.toml');
    writeFileSync(fixedToml, `[state]\ndir = "${join(work, 'state')}"\n[agent]\nsocket = "${socket}"\ndenial_log = "${join(work, 'denials.log')}"\n`);
  });
  afterAll(() => {
    for (const line of runc(['--root', ROOT, 'list', '-q']).stdout.split('\n').filter(Boolean)) runc(['--root', ROOT, 'delete', '--force', line]);
    stopAgent(socket);
    for (const p of planted) rmSync(p, { recursive: true, force: true });
    for (const b of bundles) b.cleanup();
    removeTemplate();
    rmSync(work, { recursive: true, force: true });
    rmSync(ROOT, { recursive: true, force: true });
  });

  it('a writable bind source that a user made a symlink to a root-owned directory is refused; the directory is untouched', () => {
    const victim = rootOwnedVictim('victim-link');
    const source = tmpName('output');
    asHostile(`ln -s ${victim.dir} ${source}`);
    const b = bundle(WRITE_BOTH);
    const r = oc(fixedBindProfile('fixed-link', source), ['run', '--bundle', b.dir, id()]);
    expect(r.stdout).not.toContain('wrote');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`spec.filesystem.allowedBindMounts[0].source: bind source ${source} is not safe to mount: ${source} is a symlink`);
    victim.check();
  });

  it('a bind source below a directory a user owns is refused, and nothing is created in it', () => {
    const userDir = tmpName('dir');
    asHostile(`mkdir -m 0777 ${userDir}`);
    const b = bundle(WRITE_BOTH);
    const r = oc(fixedBindProfile('fixed-userdir', join(userDir, 'out')), ['run', '--bundle', b.dir, id()]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(new RegExp(`allowedBindMounts\\[0\\]\\.source: bind source ${userDir}/out is not safe to mount: .*${userDir} is owned by uid ${HOSTILE}`));
    expect(readdirSync(userDir)).toEqual([]);
  });

  it('a writable source the shim would create for the mapped root inside /tmp is refused (its owner could rename it away)', () => {
    const source = tmpName('fresh');
    const b = bundle(WRITE_BOTH);
    const r = oc(fixedBindProfile('fixed-fresh', source), ['run', '--bundle', b.dir, id()]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/would be created for the container's root \(host uid 100000\) inside \/tmp/);
    expect(existsSync(source)).toBe(false);
  });

  it('a user who swaps the source for a symlink after the shim created it is refused next time, target untouched', () => {
    // A root-owned source in a root-only directory is fine; the same name made a symlink is not.
    const victim = rootOwnedVictim('victim-swap');
    const parent = join(work, 'srv');
    mkdirSync(parent, { mode: 0o711 });
    chmodSync(parent, 0o777); // a careless admin: a world-writable parent without the sticky bit
    const source = join(parent, 'out');
    const b = bundle(WRITE_BOTH);
    asHostile(`ln -s ${victim.dir} ${source}`);
    const r = oc(fixedBindProfile('fixed-swap', source), ['run', '--bundle', b.dir, id()]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/is not safe to mount: .*(is a symlink|is writable by all users)/);
    victim.check();
  });

  it('a symlinked bundle rootfs is refused under a user namespace (plain runc refuses it too), naming root.path', () => {
    const b = bundle(['/bin/true']);
    const real = join(work, `real-rootfs-${n}`);
    renameSync(b.rootfs, real);
    symlinkSync(real, b.rootfs);
    lchownSync(b.rootfs, HOSTILE, HOSTILE);
    const before = readFileSync(b.configPath);
    const r = shim(['--profile', fixedBindProfile('rootfs-link', join(work, 'rootfs-link-out')), '--openclaw-config', fixedToml, '--root', ROOT, 'create', '--bundle', b.dir, id()], { detached: true });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/root\.path: the rootfs .*\/rootfs is not safe for the shim to act on: .*\/rootfs is a symlink/);
    expect(readFileSync(b.configPath).equals(before)).toBe(true);
    expect(existsSync(join(work, 'state', 'rootfs')) ? readdirSync(join(work, 'state', 'rootfs')) : []).toEqual([]);
  });

  it('a state directory a user made a symlink is refused: no record, cache or key written through it', () => {
    const victim = rootOwnedVictim('victim-state');
    const stateLink = tmpName('state');
    asHostile(`ln -s ${victim.dir} ${stateLink}`);
    const config = join(work, 'state-link.toml');
    writeFileSync(config, `[state]\ndir = "${stateLink}"\n[agent]\nsocket = "${socket}"\ndenial_log = "${join(work, 'denials.log')}"\n`);
    const b = bundle(['/bin/true']);
    const r = oc(fixedBindProfile('state-link', join(work, 'state-link-out')), ['run', '--bundle', b.dir, id()], config);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(new RegExp(`state\\.dir: ${stateLink} is not safe for the shim to use as root: ${stateLink} is a symlink`));
    expect(readdirSync(victim.dir).sort()).toEqual(['secret', 'tool']);
    victim.check();
  });

  it('a jobs directory below a directory a user owns is refused for perContainer binds', () => {
    const userDir = tmpName('jobs');
    asHostile(`mkdir -m 0755 ${userDir}`);
    const config = join(work, 'jobs-user.toml');
    writeFileSync(config, `[state]\ndir = "${join(work, 'state')}"\n[jobs]\ndir = "${userDir}/jobs"\n[agent]\nsocket = "${socket}"\ndenial_log = "${join(work, 'denials.log')}"\n`);
    const b = bundle(['/bin/true']);
    const r = oc('smythos-alternative', ['run', '--bundle', b.dir, id()], config);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(new RegExp(`allowedBindMounts\\[0\\]\\.perContainer: bind source ${userDir}/jobs/.*/input .*is not safe to mount: .*${userDir} is owned by uid ${HOSTILE}`));
    expect(readdirSync(userDir)).toEqual([]);
  });

  describe.skipIf(agentSkip)('smythos-alternative: each job its own input and output', () => {
    it('two jobs never see each other\'s files; output is 0700 for the mapped root and outlives the container until jobs prune', () => {
      const a = id();
      const b = id();
      const jobs = join(work, 'jobs');
      const ra = oc('smythos-alternative', ['run', '--bundle', bundle(['/bin/sh', '-c', `echo secret-of-${a} > /output/result; echo done`]).dir, a], configToml);
      expect(ra.stderr).toBe('');
      expect(ra.stdout).toContain('done');

      // The platform fills job b's input before it starts (after `docker create`, for Docker).
      mkdirSync(join(jobs, b, 'input'), { recursive: true, mode: 0o755 });
      writeFileSync(join(jobs, b, 'input', 'task'), 'task-for-b\n');
      // Builtins only: the profile denies fork ($(...)) and a second exec.
      const script = 'echo output: /output/*; read task < /input/task; echo "input:$task"; echo inputs: /input/*';
      const rb = oc('smythos-alternative', ['run', '--bundle', bundle(['/bin/sh', '-c', script]).dir, b], configToml);
      expect(rb.stderr).toBe('');
      expect(rb.stdout).toContain('output: /output/*\n'); // the glob matched nothing: a's result is not there
      expect(rb.stdout).toContain('input:task-for-b');
      expect(rb.stdout).toContain('inputs: /input/task\n');

      // a's output outlived its container, owned by the mapped root, private to it.
      const out = statSync(join(jobs, a, 'output'));
      expect([out.uid, out.gid, out.mode & 0o7777]).toEqual([100000, 100000, 0o700]);
      expect(readFileSync(join(jobs, a, 'output', 'result'), 'utf8')).toBe(`secret-of-${a}\n`);
      const input = statSync(join(jobs, a, 'input'));
      expect([input.uid, input.gid, input.mode & 0o7777]).toEqual([0, 100000, 0o750]);
      const job = statSync(join(jobs, a));
      expect([job.uid, job.mode & 0o7777]).toEqual([0, 0o711]);

      // Retention: kept while younger than --older-than; removed on request once collected.
      const keep = shim(['--openclaw-config', configToml, 'jobs', 'prune', '--older-than', '1h', a]);
      expect(keep.status).toBe(0);
      expect(existsSync(join(jobs, a))).toBe(true);
      const prune = shim(['--openclaw-config', configToml, 'jobs', 'prune', '--older-than', '0', a]);
      expect(prune.status, prune.stderr).toBe(0);
      expect(prune.stdout).toBe(`removed ${a}\n`);
      expect(existsSync(join(jobs, a))).toBe(false);
      expect(existsSync(join(jobs, b, 'input', 'task'))).toBe(true);
    });

    it('regression: with the default jobs dir, a second job does not see the first job\'s output (they shared /tmp/output)', () => {
      // fixedToml has no [jobs] table: the default /var/lib/openclaw/jobs, which this removes again.
      const a = id();
      const b = id();
      try {
        const ra = oc('smythos-alternative', ['run', '--bundle', bundle(['/bin/sh', '-c', `echo secret > /output/result-${a}; echo done`]).dir, a]);
        expect(ra.stdout).toContain('done');
        const rb = oc('smythos-alternative', ['run', '--bundle', bundle(['/bin/sh', '-c', 'echo seen: /output/*']).dir, b]);
        expect(rb.stdout).toBe('seen: /output/*\n');
        expect(readFileSync(join('/var/lib/openclaw/jobs', a, 'output', `result-${a}`), 'utf8')).toBe('secret\n');
      } finally {
        shim(['--openclaw-config', fixedToml, 'jobs', 'prune', '--older-than', '0', a, b]);
        for (const x of [a, b]) rmSync(`/tmp/output/result-${x}`, { force: true }); // what the old code left
      }
    });

    it('a running container\'s job directory is never pruned', () => {
      const cid = id();
      const b = bundle(['/bin/sh', '-c', 'echo x > /output/x; read line']);
      const created = shim(['--profile', 'smythos-alternative', '--openclaw-config', configToml, '--root', ROOT, 'create', '--bundle', b.dir, cid], { detached: true });
      expect(created.status, created.stderr).toBe(0);
      const prune = shim(['--openclaw-config', configToml, 'jobs', 'prune', '--older-than', '0', cid]);
      expect(prune.stderr).toContain(`kept ${cid}: its container still exists`);
      expect(existsSync(join(work, 'jobs', cid, 'output'))).toBe(true);
      runc(['--root', ROOT, 'delete', '--force', cid]);
      shim(['--openclaw-config', configToml, '--root', ROOT, 'delete', '--force', cid]);
    });
  });
});
