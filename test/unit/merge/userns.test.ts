import { describe, expect, it } from 'vitest';
import { makeUsernsModifier } from '../../../shim/merge/userns.js';
import { makeUsernsMountsModifier } from '../../../shim/merge/userns-mounts.js';
import type { Spec } from '../../../shim/oci/types.js';
import { hostFacts, mergeInputs } from '../../helpers/merge-inputs.js';
import type { HostAction } from '../../../shim/host/types.js';

function run(spec: Spec, opts: { traversable?: boolean; user?: string; binds?: unknown[]; paths?: Record<string, any>; missingFiles?: string[] } = {}) {
  const hostActions: HostAction[] = [];
  const inputs = mergeInputs(
    { isolation: { namespaces: { user: opts.user ?? 'isolated-with-uid-mapping' } }, filesystem: { allowedBindMounts: opts.binds ?? [] } },
    { host: hostFacts({ rootfsTraversableByOthers: opts.traversable ?? true, paths: opts.paths ?? {}, missingFileMountpoints: opts.missingFiles ?? [] }) },
  );
  // userns maps the ids; userns-mounts fixes the kernel mounts a pod's joined namespaces refuse.
  makeUsernsModifier(inputs).apply({ spec, hostActions });
  makeUsernsMountsModifier(inputs).apply({ spec, hostActions });
  return { spec, hostActions };
}

describe('userns modifier', () => {
  it('maps container ids to the configured unprivileged range, uid and gid alike', () => {
    const { spec } = run({ root: { path: 'rootfs' }, linux: {} });
    expect(spec.linux!.uidMappings).toEqual([{ containerID: 0, hostID: 100000, size: 65536 }]);
    expect(spec.linux!.gidMappings).toEqual([{ containerID: 0, hostID: 100000, size: 65536 }]);
  });
  it('keeps the caller maps when they are unprivileged', () => {
    const maps = [{ containerID: 0, hostID: 231072, size: 65536 }];
    const { spec } = run({ linux: { uidMappings: maps, gidMappings: maps } });
    expect(spec.linux!.uidMappings).toEqual(maps);
  });
  it('refuses caller maps that reach host root', () => {
    expect(() => run({ linux: { uidMappings: [{ containerID: 0, hostID: 0, size: 1 }] } })).toThrow(/linux.uidMappings\[0\]: maps container id 0 to host root/);
  });
  it.each([
    { input: '0 2147483647', expected: '0 65535' },
    { input: '100 200', expected: '100 200' },
    { input: '70000 80000', expected: '1 0' },
  ])('narrows ping_group_range $input -> $expected', ({ input, expected }) => {
    const { spec } = run({ linux: { sysctl: { 'net.ipv4.ping_group_range': input, 'net.core.somaxconn': '10' } } });
    expect(spec.linux!.sysctl).toEqual({ 'net.ipv4.ping_group_range': expected, 'net.core.somaxconn': '10' });
  });
  it('re-binds a rootfs the mapped root cannot reach, and points root.path there', () => {
    const { spec, hostActions } = run({ root: { path: 'rootfs' }, linux: {} }, { traversable: false });
    expect(hostActions).toEqual([{ kind: 'bind-rootfs', source: '/bundle/rootfs', target: '/run/openclaw/rootfs/c1' }]);
    expect(spec.root!.path).toBe('/run/openclaw/rootfs/c1');
  });
  it('refuses a rootfs directory the mapped root cannot enter, naming root.path', () => {
    const hostActions: HostAction[] = [];
    const inputs = mergeInputs({ isolation: { namespaces: { user: 'isolated-with-uid-mapping' } } }, { host: hostFacts({ rootfsSelfTraversable: false }) });
    expect(() => makeUsernsModifier(inputs).apply({ spec: { root: { path: 'rootfs' }, linux: {} }, hostActions })).toThrow(/root\.path: the rootfs rootfs cannot be entered/);
  });
  it('leaves a reachable rootfs in place', () => {
    const { spec, hostActions } = run({ root: { path: '/srv/rootfs' }, linux: {} });
    expect(hostActions).toEqual([]);
    expect(spec.root!.path).toBe('/srv/rootfs');
  });
  it('plans no chown of bind sources (the filesystem modifier creates them with their owner)', () => {
    const { hostActions } = run({ linux: {} }, {
      binds: [
        { source: '/srv/out', destination: '/out', readonly: false },
        { source: '/srv/new', destination: '/new', readonly: false, create: true },
      ],
      paths: { '/srv/out': { exists: true, uid: 0 }, '/srv/new': { exists: false } },
    });
    expect(hostActions).toEqual([]);
  });
  it('refuses a rootfs another user could swap (a symlink), naming root.path', () => {
    const hostActions: HostAction[] = [];
    const inputs = mergeInputs({ isolation: { namespaces: { user: 'isolated-with-uid-mapping' } } }, { host: hostFacts({ rootfsUnsafe: '/bundle/rootfs is a symlink', rootfsTraversableByOthers: false }) });
    let err: any;
    try {
      makeUsernsModifier(inputs).apply({ spec: { root: { path: 'rootfs' }, linux: {} }, hostActions });
    } catch (e) {
      err = e;
    }
    expect(err?.field).toBe('root.path');
    expect(err?.message).toMatch(/rootfs \/bundle\/rootfs is not safe .*is a symlink/);
    expect(hostActions).toEqual([]);
  });
  it('does nothing when the profile inherits the user namespace', () => {
    const spec: Spec = { linux: { sysctl: { 'net.ipv4.ping_group_range': '0 2147483647' } } };
    run(spec, { user: 'inherit' });
    expect(spec.linux).toEqual({ sysctl: { 'net.ipv4.ping_group_range': '0 2147483647' } });
  });
});

describe('userns in a pod (namespaces joined by path)', () => {
  const SYSFS = { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] };
  const MQUEUE = { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] };
  const podSpec = (namespaces: Array<{ type: string; path?: string }>): Spec => ({ root: { path: 'rootfs' }, mounts: [structuredClone(SYSFS), structuredClone(MQUEUE)], linux: { namespaces: namespaces as never } });

  it('sysfs in a joined netns becomes a read-only recursive bind of /sys (the kernel refuses sysfs there)', () => {
    const { spec } = run(podSpec([{ type: 'network', path: '/run/netns/cni-1' }, { type: 'user' }]));
    expect(spec.mounts![0]).toEqual({ destination: '/sys', type: 'bind', source: '/sys', options: ['rbind', 'rprivate', 'nosuid', 'noexec', 'nodev', 'ro'] });
  });

  it('/dev/mqueue of a joined ipc namespace is left out (it belongs to another user namespace)', () => {
    const { spec } = run(podSpec([{ type: 'network', path: '/proc/7/ns/net' }, { type: 'ipc', path: '/proc/7/ns/ipc' }, { type: 'user' }]));
    expect(spec.mounts!.map((m) => m.type)).toEqual(['bind']);
  });

  it('own network and ipc namespaces keep sysfs and mqueue as they are', () => {
    const { spec } = run(podSpec([{ type: 'network' }, { type: 'ipc' }, { type: 'user' }]));
    expect(spec.mounts).toEqual([SYSFS, MQUEUE]);
  });

  it('an inherited user namespace changes nothing', () => {
    const { spec } = run(podSpec([{ type: 'network', path: '/run/netns/cni-1' }]), { user: 'inherit' });
    expect(spec.mounts).toEqual([SYSFS, MQUEUE]);
  });

  it('missing file mount points (CRI has no init layer) are created as files from the host', () => {
    const { hostActions } = run({ root: { path: '/bundle/rootfs' }, linux: {} }, { missingFiles: ['/etc/resolv.conf', '/etc/hostname'] });
    expect(hostActions).toEqual([
      { kind: 'mountpoint', rootfs: '/bundle/rootfs', path: '/etc/resolv.conf', file: true },
      { kind: 'mountpoint', rootfs: '/bundle/rootfs', path: '/etc/hostname', file: true },
    ]);
  });
});

describe('cleanup hook modifier', () => {
  it('adds the poststop hook once when the rootfs is re-bound, after the caller hooks', async () => {
    const { makeCleanupHookModifier } = await import('../../../shim/merge/cleanup-hook.js');
    const inputs = mergeInputs({});
    const spec: Spec = { hooks: { poststop: [{ path: '/usr/bin/caller-hook' }] } };
    const hostActions: HostAction[] = [{ kind: 'bind-rootfs', source: '/b/rootfs', target: '/run/openclaw/rootfs/c1' }];
    makeCleanupHookModifier(inputs).apply({ spec, hostActions });
    makeCleanupHookModifier(inputs).apply({ spec, hostActions });
    expect(spec.hooks!.poststop).toEqual([
      { path: '/usr/bin/caller-hook' },
      { path: '/opt/openclaw/hooks/openclaw-poststop', args: ['openclaw-poststop', '--state-dir', '/run/openclaw'] },
    ]);
  });
  it.each<[string, HostAction[]]>([
    ['a per-container job directory and its bind source', [{ kind: 'job', jobsDir: '/var/lib/openclaw/jobs', id: 'c1' }, { kind: 'mkdir', path: '/var/lib/openclaw/jobs/c1/output', mode: 0o700, uid: 100000, gid: 100000, parentMode: 0o711, reuse: 'same-owner' }]],
    ['a created bind source alone', [{ kind: 'mkdir', path: '/srv/x', mode: 0o755, uid: 0, gid: 0, parentMode: 0o755, reuse: 'any' }]],
  ])('adds the poststop hook for any host action (every host record is undone when runc destroys the container): %s', async (_name, hostActions) => {
    const { makeCleanupHookModifier } = await import('../../../shim/merge/cleanup-hook.js');
    const spec: Spec = {};
    makeCleanupHookModifier(mergeInputs({})).apply({ spec, hostActions });
    expect(spec.hooks?.poststop).toEqual([{ path: '/opt/openclaw/hooks/openclaw-poststop', args: ['openclaw-poststop', '--state-dir', '/run/openclaw'] }]);
  });
  it('adds nothing when the host is not changed (no record is written)', async () => {
    const { makeCleanupHookModifier } = await import('../../../shim/merge/cleanup-hook.js');
    const spec: Spec = {};
    makeCleanupHookModifier(mergeInputs({})).apply({ spec, hostActions: [] });
    expect(spec).toEqual({});
  });
});
