import { describe, expect, it } from 'vitest';
import { parseInstallArgs } from '../../../shim/install/install-args.js';
import { OpenclawError } from '../../../shim/errors.js';

describe('parseInstallArgs', () => {
  it.each([
    { args: ['docker'], engine: 'docker', flags: { name: 'openclaw', setDefault: false, dryRun: false } },
    { args: ['docker', '--profile', 'default', '--set-default', '--config=/tmp/d.json'], engine: 'docker', flags: { name: 'openclaw', profile: 'default', setDefault: true, config: '/tmp/d.json' } },
    { args: ['containerd', '--name', 'oc', '--dry-run'], engine: 'containerd', flags: { name: 'oc', dryRun: true } },
    {
      args: ['containerd', '--profile', 'smythos-alternative', '--name', 'openclaw-smythos', '--openclaw-config', '/etc/openclaw/config.toml', '--launcher-dir', '/opt/l', '--systemd-dropin', '/etc/systemd/system/containerd.service.d/openclaw.conf'],
      engine: 'containerd',
      flags: { name: 'openclaw-smythos', profile: 'smythos-alternative', openclawConfig: '/etc/openclaw/config.toml', launcherDir: '/opt/l', systemdDropin: '/etc/systemd/system/containerd.service.d/openclaw.conf' },
    },
    { args: ['podman', '--profile', 'default', '--config', '/tmp/c.conf'], engine: 'podman', flags: { name: 'openclaw', profile: 'default', config: '/tmp/c.conf' } },
  ])('$args', ({ args, engine, flags }) => {
    const r = parseInstallArgs('install', args);
    if (r.help !== undefined) throw new Error('help asked for');
    expect(r.engine).toBe(engine);
    expect(r.flags).toMatchObject(flags);
  });
  it.each([
    { args: [] },
    { args: ['cri-o'] },
    { args: ['containerd', '--set-default'] }, // a CRI default is the kubelet's RuntimeClass choice
    { args: ['podman', '--pidfile', '/x'] },
    { args: ['docker', 'extra'] },
    { args: ['docker', '--name', 'bad name'] },
    { args: ['docker', '--set-default'], action: 'uninstall' as const },
  ])('refuses $args', ({ args, action }) => {
    expect(() => parseInstallArgs(action ?? 'install', args)).toThrow(OpenclawError);
  });
  it.each([
    { action: 'install' as const, args: ['--help'], first: 'usage: openclaw-runtime install [--config FILE] ', has: ['docker: --config', 'podman: --config', '--systemd-dropin FILE'] },
    { action: 'uninstall' as const, args: ['-h'], first: 'usage: openclaw-runtime uninstall ', has: ['containerd: --config --name --launcher-dir --dry-run'] },
    { action: 'install' as const, args: ['docker', '--set-default', '--help'], first: 'usage: openclaw-runtime install docker ', has: ['--set-default'] },
  ])('$action $args: help from the flag table', ({ action, args, first, has }) => {
    const r = parseInstallArgs(action, args);
    expect(r.help?.startsWith(first)).toBe(true);
    for (const text of has) expect(r.help).toContain(text);
  });
});
