import { describe, expect, it } from 'vitest';
import { makeDevicesModifier } from '../../../shim/merge/devices.js';
import type { DeviceNode } from '../../../shim/merge/types.js';
import type { Spec } from '../../../shim/spec/types.js';
import { hostFacts, mergeInputs } from '../../helpers/merge-inputs.js';

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
  it('gpus: none changes nothing', () => {
    expect(apply('none', TWO_GPUS)).toEqual({});
  });
});
