/**
 * install containerd --profile / install podman: the per-profile launcher (containerd's
 * BinaryName and Podman's [engine.runtimes] take no arguments), the systemd drop-in that gives
 * containerd OPENCLAW_CONFIG, and containers.conf edits: dry run, idempotence, backups, uninstall.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import TOML from '@iarna/toml';
import { installContainerd, uninstallContainerd } from '../../../shim/install/containerd.js';
import { addPodmanRuntime, installPodman, removePodmanRuntime, uninstallPodman } from '../../../shim/install/podman.js';
import { launcherText } from '../../../shim/install/launcher.js';
import type { InstallFlags } from '../../../shim/install/flags.js';
import type { InstallOutput } from '../../../shim/install/output.js';
import { OpenclawError } from '../../../shim/errors.js';

const BIN = '/opt/openclaw/bin/openclaw-runtime';
let dir: string;
let said: string[];
let printed: string[];
const out: InstallOutput = { say: (l) => said.push(l), print: (t) => printed.push(t) };
const flags = (f: Partial<InstallFlags>): InstallFlags => ({ name: 'openclaw', setDefault: false, dryRun: false, binary: BIN, launcherDir: join(dir, 'launchers'), ...f });
const backupsIn = (d: string) => (existsSync(d) ? readdirSync(d).filter((f) => f.includes('.openclaw-backup-')) : []);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'openclaw-launchers-'));
  said = [];
  printed = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('launcher text', () => {
  it.each([
    { spec: { profile: 'default' }, exec: `exec '${BIN}' '--profile' 'default' "$@"` },
    { spec: { openclawConfig: '/etc/openclaw/config.toml' }, exec: `exec '${BIN}' '--openclaw-config' '/etc/openclaw/config.toml' "$@"` },
    { spec: { profile: "it's", openclawConfig: '/c' }, exec: `exec '${BIN}' '--profile' 'it'\\''s' '--openclaw-config' '/c' "$@"` },
  ])('$spec', ({ spec, exec }) => {
    const text = launcherText({ path: '/x', binary: BIN, engine: 'containerd', ...spec });
    expect(text.startsWith('#!/bin/sh\n')).toBe(true);
    expect(text.split('\n')).toContain(exec);
  });
  it('refuses a relative config path', () => {
    expect(() => launcherText({ path: '/x', binary: BIN, engine: 'podman', openclawConfig: 'config.toml' })).toThrow(OpenclawError);
  });
});

describe('install containerd --profile (launcher + runtime entry)', () => {
  it('one runtime per profile, BinaryName = its launcher, idempotent, removed by uninstall', () => {
    const file = join(dir, 'config.toml');
    for (const p of ['default', 'smythos-alternative']) installContainerd(flags({ config: file, name: `openclaw-${p}`, profile: p, openclawConfig: '/etc/openclaw/config.toml' }), out);
    const runtimes = (TOML.parse(readFileSync(file, 'utf8')) as any).plugins['io.containerd.grpc.v1.cri'].containerd.runtimes;
    for (const p of ['default', 'smythos-alternative']) {
      const launcher = join(dir, 'launchers', `openclaw-${p}`);
      expect(runtimes[`openclaw-${p}`].options.BinaryName).toBe(launcher);
      expect(runtimes[`openclaw-${p}`].runtime_type).toBe('io.containerd.runc.v2');
      expect(readFileSync(launcher, 'utf8')).toContain(`'--profile' '${p}' '--openclaw-config' '/etc/openclaw/config.toml'`);
      expect(statSync(launcher).mode & 0o777).toBe(0o755);
    }
    const before = readFileSync(file, 'utf8');
    said = [];
    installContainerd(flags({ config: file, name: 'openclaw-default', profile: 'default', openclawConfig: '/etc/openclaw/config.toml' }), out);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(said.join('\n')).toMatch(/launcher up to date/);
    expect(said.join('\n')).toMatch(/already registered/);
    expect(backupsIn(join(dir, 'launchers'))).toEqual([]);
    // A changed profile rewrites the launcher, keeping the old one as a backup.
    installContainerd(flags({ config: file, name: 'openclaw-default', profile: 'model-backend', openclawConfig: '/etc/openclaw/config.toml' }), out);
    expect(readFileSync(join(dir, 'launchers', 'openclaw-default'), 'utf8')).toContain("'model-backend'");
    expect(backupsIn(join(dir, 'launchers'))).toHaveLength(1);
    uninstallContainerd(flags({ config: file, name: 'openclaw-default' }), out);
    expect(existsSync(join(dir, 'launchers', 'openclaw-default'))).toBe(false);
    expect((TOML.parse(readFileSync(file, 'utf8')) as any).plugins['io.containerd.grpc.v1.cri'].containerd.runtimes['openclaw-default']).toBeUndefined();
  });

  it('without --profile/--openclaw-config BinaryName is the shim itself (no launcher)', () => {
    const file = join(dir, 'config.toml');
    installContainerd(flags({ config: file }), out);
    expect((TOML.parse(readFileSync(file, 'utf8')) as any).plugins['io.containerd.grpc.v1.cri'].containerd.runtimes.openclaw.options.BinaryName).toBe(BIN);
    expect(existsSync(join(dir, 'launchers'))).toBe(false);
  });

  it('dry run writes nothing and prints the launcher, the drop-in and the config', () => {
    const file = join(dir, 'config.toml');
    const dropin = join(dir, 'containerd.service.d', 'openclaw.conf');
    installContainerd(flags({ config: file, profile: 'default', openclawConfig: '/etc/openclaw/config.toml', systemdDropin: dropin, dryRun: true }), out);
    expect(readdirSync(dir)).toEqual([]);
    const text = printed.join('\n');
    expect(text).toContain(`# ${join(dir, 'launchers', 'openclaw')} (mode 0755)`);
    expect(text).toContain('Environment="OPENCLAW_CONFIG=/etc/openclaw/config.toml"');
    expect(text).toContain('BinaryName');
  });

  it('--systemd-dropin writes OPENCLAW_CONFIG for the service, once', () => {
    const file = join(dir, 'config.toml');
    const dropin = join(dir, 'containerd.service.d', 'openclaw.conf');
    installContainerd(flags({ config: file, openclawConfig: '/etc/openclaw/config.toml', systemdDropin: dropin }), out);
    expect(readFileSync(dropin, 'utf8')).toMatch(/^\[Service\]\nEnvironment="OPENCLAW_CONFIG=\/etc\/openclaw\/config.toml"$/m);
    installContainerd(flags({ config: file, openclawConfig: '/etc/openclaw/config.toml', systemdDropin: dropin }), out);
    expect(said.join('\n')).toMatch(/systemd drop-in up to date/);
    expect(backupsIn(join(dir, 'containerd.service.d'))).toEqual([]);
  });

  it('--systemd-dropin without --openclaw-config is refused before anything is written', () => {
    expect(() => installContainerd(flags({ config: join(dir, 'c.toml'), systemdDropin: join(dir, 'd.conf') }), out)).toThrow(/--systemd-dropin needs --openclaw-config/);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('install podman ([engine.runtimes] in containers.conf)', () => {
  it.each([
    { name: 'empty file', input: {}, out: { engine: { runtimes: { oc: [BIN] } } } },
    { name: 'keeps other engine keys and runtimes', input: { engine: { cgroup_manager: 'cgroupfs', runtimes: { crun: ['/usr/bin/crun'] } } }, out: { engine: { cgroup_manager: 'cgroupfs', runtimes: { crun: ['/usr/bin/crun'], oc: [BIN] } } } },
  ])('add: $name', ({ input, out: want }) => {
    const r = addPodmanRuntime(input, 'oc', BIN);
    expect(r.config).toEqual(want);
    expect(r.changed).toBe(true);
    expect(addPodmanRuntime(r.config, 'oc', BIN).changed).toBe(false);
    expect(removePodmanRuntime(r.config, 'oc').config).toEqual(input);
  });

  it('refuses an engine key that is not a table', () => {
    expect(() => addPodmanRuntime({ engine: 'x' }, 'oc', BIN)).toThrow(/engine: must be a table/);
  });

  it('writes with a backup, is idempotent, uninstalls launcher and entry', () => {
    const file = join(dir, 'containers.conf');
    writeFileSync(file, '[engine]\ncgroup_manager = "cgroupfs"\n');
    installPodman(flags({ config: file, name: 'openclaw-default', profile: 'default' }), out);
    const conf = TOML.parse(readFileSync(file, 'utf8')) as any;
    expect(conf.engine.cgroup_manager).toBe('cgroupfs');
    expect(conf.engine.runtimes['openclaw-default']).toEqual([join(dir, 'launchers', 'openclaw-default')]);
    expect(backupsIn(dir)).toHaveLength(1);
    installPodman(flags({ config: file, name: 'openclaw-default', profile: 'default' }), out);
    expect(backupsIn(dir)).toHaveLength(1);
    uninstallPodman(flags({ config: file, name: 'openclaw-default' }), out);
    expect(TOML.parse(readFileSync(file, 'utf8'))).toEqual({ engine: { cgroup_manager: 'cgroupfs' } });
    expect(existsSync(join(dir, 'launchers', 'openclaw-default'))).toBe(false);
  });

  it('dry run writes nothing', () => {
    const file = join(dir, 'containers.conf');
    installPodman(flags({ config: file, profile: 'default', dryRun: true }), out);
    expect(readdirSync(dir)).toEqual([]);
    expect(printed.join('\n')).toContain('[engine.runtimes]');
  });
});

describe('install --profile checks the profile as create will resolve it', () => {
  const bin = join(import.meta.dirname, '..', '..', '..', 'bin', 'openclaw-runtime');
  it.each(['containerd', 'podman'])('%s: an unknown profile is refused and nothing is written', async (engine) => {
    const { execa } = await import('execa');
    const config = join(dir, 'openclaw.toml');
    writeFileSync(config, `[profiles]\ndirectories = ["${dir}"]\n`);
    const r = await execa(bin, ['install', engine, '--config', join(dir, 'engine.conf'), '--profile', 'no-such-profile', '--openclaw-config', config, '--launcher-dir', join(dir, 'l')], { reject: false });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/--profile no-such-profile: no profile named "no-such-profile"/);
    expect(readdirSync(dir).sort()).toEqual(['openclaw.toml']);
  });
});
