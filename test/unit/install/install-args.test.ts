import { describe, expect, it } from 'vitest';
import { parseInstallArgs } from '../../../shim/install/install-args.js';
import { OpenclawError } from '../../../shim/errors.js';

describe('parseInstallArgs', () => {
  it.each([
    { args: ['docker'], engine: 'docker', flags: { name: 'openclaw', setDefault: false, dryRun: false } },
    { args: ['docker', '--profile', 'default', '--set-default', '--config=/tmp/d.json'], engine: 'docker', flags: { name: 'openclaw', profile: 'default', setDefault: true, config: '/tmp/d.json' } },
    { args: ['containerd', '--name', 'oc', '--dry-run'], engine: 'containerd', flags: { name: 'oc', dryRun: true } },
  ])('$args', ({ args, engine, flags }) => {
    const r = parseInstallArgs('install', args);
    expect(r.engine).toBe(engine);
    expect(r.flags).toMatchObject(flags);
  });
  it.each([
    { args: [] },
    { args: ['podman'] },
    { args: ['containerd', '--profile', 'x'] }, // containerd passes no runtimeArgs
    { args: ['docker', 'extra'] },
    { args: ['docker', '--name', 'bad name'] },
    { args: ['docker', '--set-default'], action: 'uninstall' as const },
  ])('refuses $args', ({ args, action }) => {
    expect(() => parseInstallArgs(action ?? 'install', args)).toThrow(OpenclawError);
  });
});
