import { describe, expect, it } from 'vitest';
import { makeCdiModifier } from '../../../shim/merge/cdi.js';
import { makeSeccompModifier } from '../../../shim/merge/seccomp.js';
import { compiledFilterOf } from '../../../shim/seccomp/oci-codec.js';
import type { CdiContainerEdits } from '../../../shim/cdi/schema.js';
import type { Spec } from '../../../shim/oci/types.js';
import { hostFacts, mergeInputs } from '../../helpers/merge-inputs.js';
import type { CdiFacts } from '../../../shim/host/types.js';

const SPEC_FILE = '/etc/cdi/x.yaml';
const block = (edits: CdiContainerEdits, field = 'devices[0].containerEdits') => ({ file: SPEC_FILE, field, edits });
const facts = (edits: CdiContainerEdits[], over: Partial<CdiFacts> = {}): CdiFacts => ({
  blocks: edits.map((e, i) => block(e, `devices[${i}].containerEdits`)),
  nodes: { '/dev/gpu0': { ok: true, type: 'c', major: 195, minor: 0, fileMode: 0o666 }, '/dev/ctl': { ok: true, type: 'c', major: 195, minor: 255, fileMode: 0o660 } },
  hooks: { '/usr/bin/good-hook': { ok: true }, '/tmp/evil-hook': { ok: false, reason: '/tmp is writable by everyone (mode 1777)' } },
  gpusViaCdi: false,
  ...over,
});

function apply(edits: CdiContainerEdits[], spec: Spec = { process: { user: { uid: 0, gid: 0 }, env: ['PATH=/bin'] } }, profile: Record<string, unknown> = {}, over: Partial<CdiFacts> = {}): Spec {
  const s = structuredClone(spec);
  makeCdiModifier(mergeInputs(profile, { host: hostFacts({ cdi: facts(edits, over) }) })).apply({ spec: s, hostActions: [] });
  return s;
}

function errorOf(f: () => unknown): any {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

describe('cdi modifier', () => {
  it('does nothing without CDI facts', () => {
    const spec: Spec = { mounts: [{ destination: '/b' }, { destination: '/a/b/c' }, { destination: '/a' }] };
    const s = structuredClone(spec);
    makeCdiModifier(mergeInputs({})).apply({ spec: s, hostActions: [] });
    expect(s).toEqual(spec);
  });

  it('device nodes get their numbers and mode from the host, and an allow rule', () => {
    const s = apply([{ deviceNodes: [{ path: '/dev/gpu0' }, { path: '/dev/ctl', permissions: 'rw' }] }]);
    expect(s.linux!.devices).toEqual([
      { path: '/dev/gpu0', type: 'c', major: 195, minor: 0, fileMode: 0o666 },
      { path: '/dev/ctl', type: 'c', major: 195, minor: 255, fileMode: 0o660 },
    ]);
    expect(s.linux!.resources!.devices).toEqual([
      { allow: true, type: 'c', major: 195, minor: 0, access: 'rwm' },
      { allow: true, type: 'c', major: 195, minor: 255, access: 'rw' },
    ]);
  });

  it('a device node replaces one at the same path; permissions none adds no rule', () => {
    const s = apply([{ deviceNodes: [{ path: '/dev/gpu0', permissions: 'none' }] }], { linux: { devices: [{ path: '/dev/gpu0', type: 'c', major: 1, minor: 3 }] } });
    expect(s.linux!.devices).toEqual([{ path: '/dev/gpu0', type: 'c', major: 195, minor: 0, fileMode: 0o666 }]);
    expect(s.linux!.resources?.devices ?? []).toEqual([]);
  });

  it('a fully described node need not exist on the host; a partly described one must', () => {
    const s = apply([{ deviceNodes: [{ path: '/dev/virt', type: 'c', major: 10, minor: 200 }] }]);
    expect(s.linux!.devices).toEqual([{ path: '/dev/virt', type: 'c', major: 10, minor: 200 }]);
    const e = errorOf(() => apply([{ deviceNodes: [{ path: '/dev/missing' }] }]));
    expect(e.message).toMatch(/\/dev\/missing is not usable on this host/);
    expect(e.field).toBe('devices[0].containerEdits.deviceNodes[0].hostPath');
    expect(e.file).toBe(SPEC_FILE);
  });

  it('a node whose host type differs from the spec is refused', () => {
    expect(errorOf(() => apply([{ deviceNodes: [{ path: '/dev/gpu0', type: 'b' }] }])).field).toBe('devices[0].containerEdits.deviceNodes[0].type');
  });

  it('device owner follows a non-root process user, as the reference library does', () => {
    const s = apply([{ deviceNodes: [{ path: '/dev/gpu0' }] }], { process: { user: { uid: 1000, gid: 1000 } } });
    expect(s.linux!.devices![0]).toMatchObject({ uid: 1000, gid: 1000 });
  });

  const USERNS = { isolation: { namespaces: { user: 'isolated-with-uid-mapping' } } };
  it('under a user namespace a node from another host path becomes a bind of that node, with the allow rule', () => {
    const s = apply([{ deviceNodes: [{ path: '/dev/nvidia0', hostPath: '/dev/gpu0' }, { path: '/dev/ctl' }] }], {}, USERNS);
    expect(s.mounts).toEqual([{ destination: '/dev/nvidia0', type: 'bind', source: '/dev/gpu0', options: ['bind', 'nosuid', 'noexec'] }]);
    expect(s.linux!.devices!.map((d) => d.path)).toEqual(['/dev/ctl']);
    expect(s.linux!.resources!.devices).toContainEqual({ allow: true, type: 'c', major: 195, minor: 0, access: 'rwm' });
  });
  it('under a user namespace a bound node must exist on the host, even when the spec describes it fully', () => {
    const e = errorOf(() => apply([{ deviceNodes: [{ path: '/dev/nvidia0', hostPath: '/dev/absent', type: 'c', major: 195, minor: 0 }] }], {}, USERNS));
    expect(e.message).toMatch(/must be bound from \/dev\/absent in a user namespace/);
  });

  it('missing mount points of CDI mounts become host actions in the original rootfs', () => {
    const spec: Spec = { root: { path: 'rootfs' }, process: { user: { uid: 0, gid: 0 } } };
    const hostActions: any[] = [];
    const cdi = facts([{ mounts: [{ hostPath: '/h/libcuda.so.1', containerPath: '/usr/lib/libcuda.so.1' }] }], { missingMountpoints: [{ path: '/usr/lib/libcuda.so.1', file: true }] });
    makeCdiModifier(mergeInputs(USERNS, { host: hostFacts({ cdi }) })).apply({ spec, hostActions });
    expect(hostActions).toEqual([{ kind: 'mountpoint', rootfs: '/bundle/rootfs', path: '/usr/lib/libcuda.so.1', file: true }]);
  });

  it('env replaces a variable of the same name and appends the rest', () => {
    const s = apply([{ env: ['PATH=/usr/bin', 'CUDA=1'] }]);
    expect(s.process!.env).toEqual(['PATH=/usr/bin', 'CUDA=1']);
  });

  it('mounts replace the same destination and are ordered parents first, stably', () => {
    const s = apply([{ mounts: [{ hostPath: '/usr/lib/libcuda.so', containerPath: '/usr/lib/libcuda.so', options: ['ro', 'bind'] }, { hostPath: '/h/etc', containerPath: '/etc/x' }] }], {
      mounts: [{ destination: '/proc', type: 'proc' }, { destination: '/dev/pts', type: 'devpts' }, { destination: '/etc/x', source: '/old' }, { destination: '/dev', type: 'tmpfs' }],
    });
    expect(s.mounts!.map((m) => [m.destination, m.source])).toEqual([
      ['/proc', undefined],
      ['/dev', undefined],
      ['/dev/pts', undefined],
      ['/etc/x', '/h/etc'],
      ['/usr/lib/libcuda.so', '/usr/lib/libcuda.so'],
    ]);
    expect(s.mounts![4]!.options).toEqual(['ro', 'bind']);
  });

  it('hooks from trusted executables are appended to their list', () => {
    const s = apply([{ hooks: [{ hookName: 'createContainer', path: '/usr/bin/good-hook', args: ['good-hook', 'x'], timeout: 5 }] }], { hooks: { createContainer: [{ path: '/engine' }] } });
    expect(s.hooks!.createContainer).toEqual([{ path: '/engine' }, { path: '/usr/bin/good-hook', args: ['good-hook', 'x'], timeout: 5 }]);
  });

  it('a hook whose executable someone else can change is refused, with the reason', () => {
    const e = errorOf(() => apply([{ hooks: [{ hookName: 'prestart', path: '/tmp/evil-hook' }] }]));
    expect(e.message).toMatch(/cannot be trusted \(\/tmp is writable by everyone/);
    expect(e.field).toBe('devices[0].containerEdits.hooks[0].path');
  });

  it('additional gids are added once, 0 ignored', () => {
    const s = apply([{ additionalGids: [0, 44, 44, 107] }], { process: { user: { uid: 0, gid: 0, additionalGids: [44] } } });
    expect(s.process!.user!.additionalGids).toEqual([44, 107]);
  });

  it.each([
    ['netDevices', { netDevices: [{ hostInterfaceName: 'eth0', name: 'eth0' }] }],
    ['intelRdt', { intelRdt: { closID: 'x' } }],
  ])('%s is refused, naming the spec file and field', (field, edits) => {
    const e = errorOf(() => apply([edits as CdiContainerEdits]));
    expect(e.file).toBe(SPEC_FILE);
    expect(e.field).toBe(`devices[0].containerEdits.${field}`);
  });
});

describe('granted device nodes reach the agent', () => {
  const meta = JSON.stringify({ v: 1, profile: 'p', sha256: 'f'.repeat(64), errno: 1, writable: ['/dev/null', '/output'] });
  const compiled = { defaultAction: 'SCMP_ACT_ALLOW', listenerPath: '/run/a.sock', listenerMetadata: meta, syscalls: [{ names: ['openat'], action: 'SCMP_ACT_NOTIFY' }] };
  function merged(cdi: CdiFacts | undefined): any {
    const spec: Spec = { process: { user: { uid: 0, gid: 0 } } };
    makeSeccompModifier(mergeInputs({}, { compiledFilter: compiledFilterOf(structuredClone(compiled) as any), host: hostFacts({ cdi }) })).apply({ spec, hostActions: [] });
    return JSON.parse(spec.linux!.seccomp!.listenerMetadata!);
  }
  it('CDI device nodes join the writable list, nothing else does', () => {
    expect(merged(facts([{ deviceNodes: [{ path: '/dev/gpu0' }] }, { deviceNodes: [{ path: '/dev/ctl' }], mounts: [{ hostPath: '/l', containerPath: '/usr/lib/l.so' }] }])).writable).toEqual(['/dev/ctl', '/dev/gpu0', '/dev/null', '/output']);
  });
  it('no devices, no change', () => {
    expect(merged(undefined).writable).toEqual(['/dev/null', '/output']);
  });
});
