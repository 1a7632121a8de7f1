import { describe, expect, it } from 'vitest';
import { makeDevicesModifier } from '../../../shim/merge/devices.js';
import type { Spec } from '../../../shim/oci/types.js';
import { hostFacts, mergeInputs } from '../../helpers/merge-inputs.js';
import type { DeviceNode } from '../../../shim/host/types.js';

const node = (path: string, major: number, minor: number): DeviceNode => ({ path, type: 'c', major, minor, fileMode: 0o666, uid: 0, gid: 0 });
const TWO_GPUS = [node('/dev/nvidia0', 195, 0), node('/dev/nvidia1', 195, 1), node('/dev/nvidiactl', 195, 255), node('/dev/nvidia-uvm', 511, 0), node('/dev/nvidia-uvm-tools', 511, 1), node('/dev/nvidia-modeset', 195, 254)];

function apply(gpus: unknown, host: DeviceNode[], linux: Record<string, unknown> = {}) {
  const spec: Spec = { linux: structuredClone(linux) };
  makeDevicesModifier(mergeInputs(gpus === undefined ? {} : { devices: { gpus } }, { host: hostFacts({ nvidiaDevices: host }) })).apply({ spec, hostActions: [] });
  return spec.linux!;
}

describe('devices modifier', () => {
  it('gpus: all adds every GPU and the control nodes with allow rules', () => {
    const l = apply('all', TWO_GPUS);
    expect(l.devices!.map((d) => d.path)).toEqual(['/dev/nvidia0', '/dev/nvidia1', '/dev/nvidiactl', '/dev/nvidia-uvm', '/dev/nvidia-uvm-tools', '/dev/nvidia-modeset']);
    expect(l.resources!.devices).toContainEqual({ allow: true, type: 'c', major: 511, minor: 0, access: 'rwm' });
    expect(l.resources!.devices).toHaveLength(6);
  });
  it('gpus: [1] adds only GPU 1 and the control nodes', () => {
    const l = apply([1], TWO_GPUS);
    expect(l.devices!.map((d) => d.path)).toEqual(['/dev/nvidia1', '/dev/nvidiactl', '/dev/nvidia-uvm', '/dev/nvidia-uvm-tools', '/dev/nvidia-modeset']);
  });
  it('keeps the caller deny-all rule first', () => {
    const l = apply('all', TWO_GPUS, { resources: { devices: [{ allow: false, access: 'rwm' }] } });
    expect(l.resources!.devices![0]).toEqual({ allow: false, access: 'rwm' });
  });
  it.each([
    { gpus: 'all', host: [], msg: /no \/dev\/nvidiaN/, field: 'spec.devices.gpus' },
    { gpus: [3], host: TWO_GPUS, msg: /GPU 3 is not on this host/, field: 'spec.devices.gpus[0]' },
    { gpus: [0], host: [node('/dev/nvidia0', 195, 0)], msg: /no \/dev\/nvidiactl/, field: 'spec.devices.gpus' },
  ])('refuses gpus=$gpus when the host lacks them', ({ gpus, host, msg, field }) => {
    expect(() => apply(gpus, host)).toThrow(msg);
    try {
      apply(gpus, host);
    } catch (e: any) {
      expect(e.field).toBe(field);
      expect(e.file).toBe('/profiles/test.yaml');
    }
  });
  it('refuses a privileged spec (allow every device)', () => {
    expect(() => apply(undefined, [], { resources: { devices: [{ allow: true, access: 'rwm' }] } })).toThrow(/every host device/);
  });
  const DOCKER_RULES = [
    { allow: false, access: 'rwm' },
    { allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' },
    { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' },
    { allow: true, type: 'c', major: 1, minor: 9, access: 'rwm' },
    { allow: true, type: 'c', major: 1, minor: 8, access: 'rwm' },
    { allow: true, type: 'c', major: 5, minor: 0, access: 'rwm' },
    { allow: true, type: 'c', major: 5, minor: 1, access: 'rwm' },
    { allow: false, type: 'c', major: 10, minor: 229, access: 'rwm' },
  ];
  const CONTAINERD_EXTRA = [
    { allow: true, type: 'c', major: 1, minor: 7, access: 'rwm' },
    { allow: true, type: 'c', major: 136, access: 'rwm' },
    { allow: true, type: 'c', major: 5, minor: 2, access: 'rwm' },
  ];
  const nullNode = { path: '/dev/null', type: 'c', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 };
  it.each([
    { name: "Docker's default rules", gpus: undefined, linux: { resources: { devices: DOCKER_RULES } } },
    { name: "containerd's default rules (full, pts, ptmx)", gpus: undefined, linux: { resources: { devices: [...DOCKER_RULES, ...CONTAINERD_EXTRA] } } },
    { name: 'mknod-only wildcards (runc adds them itself)', gpus: undefined, linux: { resources: { devices: [{ allow: true, type: 'c', access: 'm' }, { allow: true, type: 'b', access: 'm' }] } } },
    { name: 'a default node in linux.devices (CRI, Podman)', gpus: undefined, linux: { devices: [nullNode], resources: { devices: [{ allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' }] } } },
    { name: 'a read-only rule for urandom', gpus: undefined, linux: { resources: { devices: [{ allow: true, type: 'c', major: 1, minor: 9, access: 'r' }] } } },
    { name: 'deny rules of any kind', gpus: undefined, linux: { resources: { devices: [{ allow: false, type: 'b', major: 8, access: 'rwm' }, { allow: false, access: 'rwm' }] } } },
    { name: "the caller's rule for a GPU the profile gives", gpus: [0], linux: { resources: { devices: [{ allow: true, type: 'c', major: 195, minor: 0, access: 'rw' }] } } },
  ])('accepts $name unchanged', ({ gpus, linux }) => {
    const l = apply(gpus, TWO_GPUS, linux);
    if (gpus === undefined) expect(l).toEqual(linux);
  });
  it.each([
    { name: 'c 1:* rwm (every memory device: /dev/mem, /dev/kmem, /dev/port)', gpus: undefined, linux: { resources: { devices: [{ allow: false, access: 'rwm' }, { allow: true, type: 'c', major: 1, access: 'rwm' }] } }, field: 'linux.resources.devices[1]', msg: /"c 1:\* rwm"/ },
    { name: 'c *:* rw', gpus: undefined, linux: { resources: { devices: [{ allow: true, type: 'c', access: 'rw' }] } }, field: 'linux.resources.devices[0]', msg: /"c \*:\* rw"/ },
    { name: 'b 8:0 (--device /dev/sda)', gpus: undefined, linux: { resources: { devices: [{ allow: true, type: 'b', major: 8, minor: 0, access: 'rwm' }] } }, field: 'linux.resources.devices[0]', msg: /"b 8:0 rwm"/ },
    { name: 'c 1:1 /dev/mem', gpus: undefined, linux: { resources: { devices: [{ allow: true, type: 'c', major: 1, minor: 1, access: 'r' }] } }, field: 'linux.resources.devices[0]', msg: /"c 1:1 r"/ },
    { name: 'a *:* r (all devices read-only)', gpus: undefined, linux: { resources: { devices: [{ allow: true, type: 'a', access: 'r' }] } }, field: 'linux.resources.devices[0]', msg: /every host device/ },
    { name: 'a GPU without gpus in the profile', gpus: undefined, linux: { resources: { devices: [{ allow: true, type: 'c', major: 195, minor: 0, access: 'rw' }] } }, field: 'linux.resources.devices[0]', msg: /"c 195:0 rw"/ },
    { name: 'a GPU the profile does not select', gpus: [0], linux: { resources: { devices: [{ allow: true, type: 'c', major: 195, minor: 1, access: 'rw' }] } }, field: 'linux.resources.devices[0]', msg: /"c 195:1 rw"/ },
    { name: 'a /dev/sda node in linux.devices', gpus: undefined, linux: { devices: [{ path: '/dev/sda', type: 'b', major: 8, minor: 0 }] }, field: 'linux.devices[0]', msg: /\/dev\/sda \(b 8:0\)/ },
    { name: 'a /dev/null-named node that is /dev/mem', gpus: undefined, linux: { devices: [{ path: '/dev/null', type: 'c', major: 1, minor: 1 }] }, field: 'linux.devices[0]', msg: /\/dev\/null \(c 1:1\)/ },
  ])('refuses $name', ({ gpus, linux, field, msg }) => {
    let err: any;
    try {
      apply(gpus, TWO_GPUS, linux);
    } catch (e) {
      err = e;
    }
    expect(err?.field).toBe(field);
    expect(err?.file).toBe('/bundle/config.json');
    expect(err?.problem).toMatch(msg);
    expect(err?.fix).toMatch(/--device[^-]/);
    for (const word of ['--device-cgroup-rule', '--privileged', 'securityContext.privileged', 'device plugin']) expect(err?.fix).toContain(word);
  });
  it('gpus: none changes nothing', () => {
    expect(apply('none', TWO_GPUS)).toEqual({});
  });
});
