/**
 * Integration against real runc: the shim in front of runc 1.1 on busybox-static bundles.
 * Checks the container's kernel state from inside (verifier) against what the profile says.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { integrationSkipReason, makeBundle, parseFacts, removeTemplate, type Bundle } from '../helpers/bundle.js';
import { runc, shim } from '../helpers/shim.js';

const skip = integrationSkipReason();
if (skip) console.warn(`SKIP integration/runc: ${skip}`);

const ROOT = mkdtempSync(join(tmpdir(), 'openclaw-runc-root-'));
const STATE = mkdtempSync(join(tmpdir(), 'openclaw-state-'));
// The mapped ids must search it to reach rootfs binds; the shim never chmods a directory it did not create.
chmodSync(STATE, 0o711);
let work: string;
let configToml: string;
const bundles: Bundle[] = [];
let n = 0;
const id = () => `oc-it-${process.pid}-${++n}`;

function bundle(args: string[]): Bundle {
  const b = makeBundle(args);
  bundles.push(b);
  return b;
}

/** Shim with a private runc root and a test config (state dir in a temp dir). */
function oc(args: string[], extra: string[] = [], opts: { detached?: boolean } = {}) {
  return shim([...extra, '--openclaw-config', configToml, '--root', ROOT, ...args], opts);
}

describe.skipIf(skip)('shim in front of real runc', () => {
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'openclaw-it-'));
    configToml = join(work, 'config.toml');
    writeFileSync(configToml, `[state]\ndir = "${STATE}"\n[jobs]\ndir = "${join(work, 'jobs')}"\n[agent]\nsocket = "${join(work, 'agent.sock')}"\ndenial_log = "${join(work, 'denials.log')}"\n`);
  });
  afterAll(() => {
    for (const line of runc(['--root', ROOT, 'list', '-q']).stdout.split('\n').filter(Boolean)) runc(['--root', ROOT, 'delete', '--force', line]);
    for (const b of bundles) b.cleanup();
    removeTemplate();
    rmSync(work, { recursive: true, force: true });
    rmSync(ROOT, { recursive: true, force: true });
    rmSync(STATE, { recursive: true, force: true });
  });

  describe('pass-through', () => {
    it.each([['list'], ['state', 'no-such-container'], ['--help', 'list'], ['--version', 'list']])('%s prints exactly what runc prints', (...args) => {
      const a = args as string[];
      const viaShim = oc(a);
      const direct = runc(['--root', ROOT, ...a]);
      expect(viaShim.stdout).toBe(direct.stdout);
      expect(viaShim.status).toBe(direct.status);
    });

    // As nvidia-container-runtime: our version and commit, a blank line, then runc's lines unchanged.
    it('--version: ours first, then exactly what runc prints', () => {
      const viaShim = oc(['--version']);
      const direct = runc(['--root', ROOT, '--version']);
      const head = /^openclaw-runtime version \d+\.\d+\.\d+\S*\ncommit: (?:[0-9a-f]{4,}|unknown)\n\n/.exec(viaShim.stdout);
      expect(head, viaShim.stdout).not.toBeNull();
      expect(viaShim.stdout.slice(head![0].length)).toBe(direct.stdout);
      expect(viaShim.status).toBe(direct.status);
    });

    it('--help: the shim\'s commands, then exactly what runc prints', () => {
      const viaShim = oc(['--help']);
      const direct = runc(['--root', ROOT, '--help']);
      expect(viaShim.stdout).toMatch(/^NAME:\n {3}openclaw-runtime - /);
      expect(viaShim.stdout).toContain('OPENCLAW-RUNTIME COMMANDS');
      expect(viaShim.stdout.endsWith(`Its help:\n\n${direct.stdout}`)).toBe(true);
      expect(viaShim.status).toBe(direct.status);
    });
  });

  it('create, start, state, kill, delete under the default profile', () => {
    const b = bundle(['sleep', '60']);
    const cid = id();
    const log = join(b.dir, 'log.json');
    const created = oc(['--log', log, '--log-format', 'json', 'create', '--bundle', b.dir, cid], ['--profile', 'default'], { detached: true });
    expect(created.stderr).toBe('');
    expect(created.status).toBe(0);
    expect(JSON.parse(oc(['state', cid]).stdout).status).toBe('created');
    expect(oc(['start', cid]).status).toBe(0);
    const state = JSON.parse(oc(['state', cid]).stdout);
    expect(state.status).toBe('running');
    expect(state.annotations['org.openclaw.profile.applied']).toBe('default');
    expect(oc(['kill', cid, 'KILL']).status).toBe(0);
    for (let i = 0; i < 50 && JSON.parse(oc(['state', cid]).stdout).status !== 'stopped'; i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    expect(oc(['delete', cid]).status).toBe(0);
    expect(oc(['state', cid]).status).not.toBe(0);
  });

  it('the default profile: kernel state inside matches the profile', () => {
    const b = bundle(['/bin/verify']);
    const r = oc(['run', '--bundle', b.dir, id()], ['--profile', 'default']);
    expect(r.status).toBe(0);
    const f = parseFacts(r.stdout);
    expect(f.seccomp).toBe('2');
    expect(f.no_new_privs).toBe('1');
    expect(f.cap_eff).toBe('0000000000000000');
    expect(f.cap_bnd).toBe('0000000000000000');
    expect(f.pids_v1).toBe('512');
    expect(f.memory_v1).toBe(String(1024 ** 3));
    expect(f.net_ifaces).toBe('lo');
    expect(f.pid1_comm).toBe('verify');
    expect(f.visible_pids).toBe('1'); // no host process is visible
  });

  it('a runc-style bundle with a tighter caller limit keeps the caller limit', () => {
    const b = bundle(['/bin/verify']);
    const cfg = b.readConfig();
    cfg.linux.resources = { ...(cfg.linux.resources ?? {}), pids: { limit: 7 } };
    b.writeConfig(cfg);
    const f = parseFacts(oc(['run', '--bundle', b.dir, id()], ['--profile', 'default']).stdout);
    expect(f.pids_v1).toBe('7');
  });

  it('a user-namespaced profile with a read-only root and writable output', () => {
    // Missing, below root-only directories: the shim creates it for the mapped root (an
    // existing directory it would leave as it is: it chowns nothing it did not create).
    const out = join(mkdtempSync(join(work, 'out-')), 'output');
    const profile = join(work, 'userns.yaml');
    writeFileSync(
      profile,
      [
        'apiVersion: security.openclaw.org/v1alpha1',
        'kind: SandboxProfile',
        'metadata: { name: it-userns }',
        'spec:',
        '  isolation:',
        '    namespaces: { network: isolated, ipc: isolated, uts: isolated, mount: isolated-with-bind, pid: isolated, user: isolated-with-uid-mapping }',
        '    cgroups: { memory: 256Mi, pids: { max: 16 } }',
        '  filesystem:',
        '    readonlyRootfs: true',
        `    allowedBindMounts: [ { source: ${out}, destination: /output, readonly: false, create: true } ]`,
      ].join('\n'),
    );
    const b = bundle(['/bin/verify']);
    const r = oc(['run', '--bundle', b.dir, id()], ['--profile', profile]);
    expect(r.stderr).toBe('');
    const f = parseFacts(r.stdout);
    expect(f.uid_map).toBe('0:100000:65536');
    expect(f.gid_map).toBe('0:100000:65536');
    expect(f.root_mount).toBe('ro');
    expect(f.root_writable).toBe('no');
    expect(f.output_writable).toBe('yes');
    expect(statSync(join(out, '.openclaw-probe')).uid).toBe(100000);
    expect(f.pids_v1).toBe('16');
    expect(f.memory_v1).toBe(String(256 * 1024 ** 2));
  });

  it('a rootfs re-bound for the user namespace is released by delete, through the shim or plain runc (poststop hook)', () => {
    const profile = join(work, 'userns-hook.yaml');
    writeFileSync(profile, 'apiVersion: security.openclaw.org/v1alpha1\nkind: SandboxProfile\nmetadata: { name: it-hook }\nspec:\n  isolation:\n    namespaces: { user: isolated-with-uid-mapping }\n');
    for (const via of ['shim', 'runc'] as const) {
      const b = bundle(['sleep', '30']); // the bundle dir is 0700: the mapped root cannot reach rootfs/
      const cid = id();
      const created = oc(['create', '--bundle', b.dir, cid], ['--profile', profile], { detached: true });
      expect(created.status, created.stderr).toBe(0);
      const target = join(STATE, 'rootfs', cid);
      expect(readFileSync('/proc/self/mountinfo', 'utf8')).toContain(` ${target} `);
      expect(existsSync(join(STATE, 'containers', `${cid}.json`))).toBe(true);
      const deleted = via === 'shim' ? oc(['delete', '--force', cid]) : runc(['--root', ROOT, 'delete', '--force', cid]);
      expect(deleted.status, deleted.stderr).toBe(0);
      expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(` ${target} `);
      expect(existsSync(join(STATE, 'containers', `${cid}.json`))).toBe(false);
    }
  });

  describe('refusals leave config.json byte-identical and say why in the runtime log', () => {
    const cases: Array<{ name: string; edit?: (cfg: any) => void; profile?: string; profileText?: string; expect: RegExp }> = [
      { name: 'host network under an isolated profile', edit: (c) => (c.linux.namespaces = c.linux.namespaces.filter((n: any) => n.type !== 'network')), profile: 'default', expect: /--network host/ },
      { name: 'a bind mount of /etc', edit: (c) => c.mounts.push({ destination: '/host-etc', type: 'bind', source: '/etc', options: ['rbind', 'ro'] }), profile: 'default', expect: /mounts\[\d+\].*under \/etc/ },
      { name: 'a misspelt profile key', profileText: 'apiVersion: security.openclaw.org/v1alpha1\nkind: SandboxProfile\nmetadata: { name: bad }\nspec:\n  filesystem:\n    readOnlyRootfs: true\n', expect: /spec\.filesystem\.readOnlyRootfs: unknown key "readOnlyRootfs"/ },
      { name: 'a missing profile', profile: 'no-such-profile', expect: /no profile named "no-such-profile"/ },
    ];
    it.each(cases)('$name', (c) => {
      const b = bundle(['true']);
      if (c.edit) {
        const cfg = b.readConfig();
        c.edit(cfg);
        b.writeConfig(cfg);
      }
      let profile = c.profile;
      if (c.profileText) {
        profile = join(work, `bad-${n}.yaml`);
        writeFileSync(profile, c.profileText);
      }
      const before = readFileSync(b.configPath);
      const log = join(b.dir, 'log.json');
      const cid = id();
      const r = oc(['--log', log, '--log-format', 'json', 'create', '--bundle', b.dir, cid], ['--profile', profile!]);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(c.expect);
      expect(readFileSync(b.configPath).equals(before)).toBe(true);
      const last = readFileSync(log, 'utf8').trim().split('\n').pop()!;
      const entry = JSON.parse(last);
      expect(entry.level).toBe('error');
      expect(entry.msg).toMatch(c.expect);
      expect(entry.msg).toMatch(/fix: /);
      expect(existsSync(join(ROOT, cid))).toBe(false);
    });
  });
});
