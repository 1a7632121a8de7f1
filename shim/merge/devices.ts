/**
 * Devices. Merge policy:
 * - a spec that allows every device (Docker's --privileged: a device-cgroup rule with no
 *   type/major/minor that allows rwm) is refused: a sandbox never gets the host's devices;
 * - `gpus` adds the host's NVIDIA nodes (read from the host by host/facts.ts: type, major,
 *   minor, mode) to linux.devices, keyed by path, each with a matching allow rule in
 *   linux.resources.devices. A GPU the profile asks for that the host lacks is an error.
 *   NVIDIA nodes: /dev/nvidiaN (195:N), nvidiactl (195:255), nvidia-modeset (195:254),
 *   nvidia-uvm and nvidia-uvm-tools (dynamic major).
 */
import { OpenclawError } from '../errors.js';
import type { SpecDevice, SpecDeviceCgroup } from '../spec/types.js';
import type { DeviceNode, MergeInputs, Modifier } from './types.js';
import { callerEngine } from './caller.js';

/** Control nodes every GPU container needs besides its /dev/nvidiaN. */
export const NVIDIA_CONTROL_NODES = ['/dev/nvidiactl', '/dev/nvidia-uvm', '/dev/nvidia-uvm-tools', '/dev/nvidia-modeset'];
const GPU_NODE_RE = /^\/dev\/nvidia(\d+)$/;

export function isAllowAllDevicesRule(r: SpecDeviceCgroup): boolean {
  return r.allow && (r.type === undefined || r.type === 'a') && r.major === undefined && r.minor === undefined;
}

/** The nodes `gpus` selects from what the host has. Exported for tests. */
export function selectGpuNodes(gpus: 'all' | number[], host: DeviceNode[], profileFile: string): DeviceNode[] {
  const gpuNodes = host.filter((d) => GPU_NODE_RE.test(d.path));
  let chosen: DeviceNode[];
  if (gpus === 'all') {
    if (gpuNodes.length === 0) {
      throw new OpenclawError('host', 'the profile asks for all GPUs, but this host has no /dev/nvidiaN device nodes', {
        file: profileFile,
        field: 'spec.devices.gpus',
        fix: 'install and load the NVIDIA driver (nvidia-smi should list the GPUs), or set gpus: none',
      });
    }
    chosen = gpuNodes;
  } else {
    chosen = gpus.map((index, i) => {
      const node = gpuNodes.find((d) => d.path === `/dev/nvidia${index}`);
      if (!node) {
        throw new OpenclawError('host', `GPU ${index} is not on this host (found: ${gpuNodes.map((d) => d.path).join(', ') || 'no /dev/nvidiaN'})`, {
          file: profileFile,
          field: `spec.devices.gpus[${i}]`,
          fix: 'list only GPU indices that exist on this host, or use gpus: all',
        });
      }
      return node;
    });
  }
  const control = host.filter((d) => NVIDIA_CONTROL_NODES.includes(d.path));
  if (!control.some((d) => d.path === '/dev/nvidiactl')) {
    throw new OpenclawError('host', 'the host has NVIDIA GPU nodes but no /dev/nvidiactl', {
      file: profileFile,
      field: 'spec.devices.gpus',
      fix: 'load the NVIDIA driver completely (nvidia-modprobe) before starting GPU containers',
    });
  }
  return [...chosen, ...control];
}

export function makeDevicesModifier(inputs: MergeInputs): Modifier {
  const gpus = inputs.profile.profile.spec.devices?.gpus;
  return {
    name: 'devices',
    apply({ spec }) {
      const linux = (spec.linux ??= {});
      const rules = linux.resources?.devices ?? [];
      const allowAll = rules.findIndex(isAllowAllDevicesRule);
      if (allowAll !== -1) {
        throw new OpenclawError('merge', `allows access to every host device (a privileged container); profile "${inputs.profile.profile.metadata.name}" never allows that`, {
          file: inputs.specFile,
          field: `linux.resources.devices[${allowAll}]`,
          fix: callerEngine(spec) === 'kubernetes'
            ? 'remove securityContext.privileged: true from the container (and the pod); give it only the devices it needs (a device plugin)'
            : 'run the container without --privileged (or --device-cgroup-rule "a *:* rwm"); give it only the devices it needs',
        });
      }
      if (gpus === undefined || gpus === 'none') return;
      const nodes = selectGpuNodes(gpus, inputs.host.nvidiaDevices, inputs.profile.path);
      const devices: SpecDevice[] = (linux.devices ??= []);
      const cgroupRules: SpecDeviceCgroup[] = ((linux.resources ??= {}).devices ??= []);
      for (const n of nodes) {
        if (!devices.some((d) => d.path === n.path)) {
          devices.push({ path: n.path, type: n.type, major: n.major, minor: n.minor, fileMode: n.fileMode, uid: n.uid, gid: n.gid });
        }
        if (!cgroupRules.some((r) => r.allow && r.type === n.type && r.major === n.major && r.minor === n.minor)) {
          cgroupRules.push({ allow: true, type: n.type, major: n.major, minor: n.minor, access: 'rwm' });
        }
      }
    },
  };
}
