/**
 * Devices. Merge policy:
 * - a spec that allows every device (Docker's --privileged: a device-cgroup rule with no
 *   type/major/minor that allows rwm) is refused: a sandbox never gets the host's devices;
 * - every other device-cgroup allow rule that grants read or write, and every node in
 *   linux.devices, must be one of the default set every engine gives (DEFAULT_DEVICES: null,
 *   zero, full, random, urandom, tty, console, ptmx, the pts slaves) or a GPU node the
 *   profile's `gpus` adds; anything beyond (--device, --device-cgroup-rule "c 1:* rwm", a
 *   device plugin) is refused. Rules that grant only mknod (`c *:* m`, which runc adds
 *   itself) give no access and stay; deny rules only tighten and stay;
 * - `gpus` adds the host's NVIDIA nodes (read from the host by host/facts.ts: type, major,
 *   minor, mode) to linux.devices, keyed by path, each with a matching allow rule in
 *   linux.resources.devices. A GPU the profile asks for that the host lacks is an error.
 *   NVIDIA nodes: /dev/nvidiaN (195:N), nvidiactl (195:255), nvidia-modeset (195:254),
 *   nvidia-uvm and nvidia-uvm-tools (dynamic major).
 *   When an nvidia.com/gpu CDI spec is installed, `gpus` is served by it instead (merge/cdi.ts:
 *   the driver's libraries and hooks come with the nodes).
 */
import { OpenclawError } from '../errors.js';
import type { SpecDevice, SpecDeviceCgroup } from '../oci/types.js';
import type { MergeInputs, Modifier } from './types.js';
import { callerEngine } from '../oci/caller.js';
import type { DeviceNode } from '../host/types.js';

/** Control nodes every GPU container needs besides its /dev/nvidiaN. */
export const NVIDIA_CONTROL_NODES = ['/dev/nvidiactl', '/dev/nvidia-uvm', '/dev/nvidia-uvm-tools', '/dev/nvidia-modeset'];
const GPU_NODE_RE = /^\/dev\/nvidia(\d+)$/;

export function isAllowAllDevicesRule(r: SpecDeviceCgroup): boolean {
  return r.allow && (r.type === undefined || r.type === 'a') && r.major === undefined && r.minor === undefined;
}

/** A device the container may have: `minor` undefined means every minor of that major. */
export interface DeviceGrant {
  name: string;
  type: 'c' | 'b';
  major: number;
  minor?: number;
}

/**
 * The devices every engine gives a container (Docker's, containerd's and CRI's default rules,
 * runc's own AllowedDevices), which no profile takes away.
 */
export const DEFAULT_DEVICES: readonly DeviceGrant[] = [
  { name: '/dev/null', type: 'c', major: 1, minor: 3 },
  { name: '/dev/zero', type: 'c', major: 1, minor: 5 },
  { name: '/dev/full', type: 'c', major: 1, minor: 7 },
  { name: '/dev/random', type: 'c', major: 1, minor: 8 },
  { name: '/dev/urandom', type: 'c', major: 1, minor: 9 },
  { name: '/dev/tty', type: 'c', major: 5, minor: 0 },
  { name: '/dev/console', type: 'c', major: 5, minor: 1 },
  { name: '/dev/ptmx', type: 'c', major: 5, minor: 2 },
  { name: '/dev/pts/*', type: 'c', major: 136 },
];

/** An OCI wildcard: major/minor left out (or -1, as some generators write it). */
function wildcard(n: number | undefined | null): boolean {
  return n === undefined || n === null || n < 0;
}

/** Whether a rule only allows mknod (no read, no write): such a node cannot be opened. */
function mknodOnly(r: SpecDeviceCgroup): boolean {
  return r.access !== undefined && r.access !== '' && /^m+$/.test(r.access);
}

/** The grant that covers an allow rule, or undefined when the rule allows more. */
export function grantFor(r: { type?: string; major?: number | null; minor?: number | null }, grants: readonly DeviceGrant[]): DeviceGrant | undefined {
  const type = r.type === 'u' ? 'c' : r.type;
  if (type !== 'c' && type !== 'b') return undefined;
  if (wildcard(r.major)) return undefined;
  return grants.find((g) => g.type === type && g.major === r.major && (g.minor === undefined || (!wildcard(r.minor) && g.minor === r.minor)));
}

function describeRule(r: SpecDeviceCgroup): string {
  const n = (v: number | undefined | null) => (wildcard(v) ? '*' : String(v));
  return `${r.type ?? 'a'} ${n(r.major)}:${n(r.minor)} ${r.access ?? 'rwm'}`;
}

const DEVICE_FIX = 'run the container without --device, --device-cgroup-rule or --privileged (Kubernetes: without securityContext.privileged or a device plugin resource); GPUs come from a profile with spec.devices.gpus';

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

/**
 * Container paths of the device nodes the profile grants (its GPUs, bare or through CDI).
 * The seccomp modifier lets the agent open exactly these for writing (CUDA opens its nodes
 * O_RDWR) under a profile that gates write-opens; nothing else in /dev is added.
 */
export function grantedDevicePaths(inputs: MergeInputs): string[] {
  const paths = new Set<string>();
  const cdi = inputs.host.cdi;
  for (const b of cdi?.blocks ?? []) for (const d of b.edits.deviceNodes ?? []) paths.add(d.path);
  const gpus = inputs.profile.profile.spec.devices?.gpus;
  if (gpus !== undefined && gpus !== 'none' && !cdi?.gpusViaCdi) {
    for (const n of selectGpuNodes(gpus, inputs.host.nvidiaDevices, inputs.profile.path)) paths.add(n.path);
  }
  return [...paths].sort();
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
            : 'run the container without --privileged or --device-cgroup-rule "a *:* rwm" (Kubernetes: without securityContext.privileged or a device plugin resource); give it only the devices it needs: --device and --device-cgroup-rule are refused beyond the default devices, GPUs come from a profile with spec.devices.gpus or spec.devices.cdi',
        });
      }
      const nodes = gpus === undefined || gpus === 'none' || inputs.host.cdi?.gpusViaCdi ? [] : selectGpuNodes(gpus, inputs.host.nvidiaDevices, inputs.profile.path);
      const grants: DeviceGrant[] = [...DEFAULT_DEVICES, ...nodes.map((n) => ({ name: n.path, type: n.type, major: n.major, minor: n.minor }))];
      const profileName = inputs.profile.profile.metadata.name;
      rules.forEach((r, i) => {
        if (!r.allow || mknodOnly(r) || grantFor(r, grants)) return;
        throw new OpenclawError('merge', `allows the device rule "${describeRule(r)}", beyond the default devices and the GPUs profile "${profileName}" gives (${nodes.length} GPU nodes)`, {
          file: inputs.specFile,
          field: `linux.resources.devices[${i}]`,
          fix: DEVICE_FIX,
        });
      });
      (linux.devices ?? []).forEach((d, i) => {
        if (d.type === 'p' || grantFor(d, grants)) return;
        throw new OpenclawError('merge', `creates the device node ${d.path} (${d.type} ${d.major ?? '*'}:${d.minor ?? '*'}), beyond the default devices and the GPUs profile "${profileName}" gives`, {
          file: inputs.specFile,
          field: `linux.devices[${i}]`,
          fix: DEVICE_FIX,
        });
      });
      if (nodes.length === 0) return;
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
