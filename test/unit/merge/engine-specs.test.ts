/**
 * What Podman 4.3 and Kubernetes CRI (containerd 1.6) put in a normal config.json passes every
 * config.json-floor modifier (Docker 20.10 and containerd's ctr are the golden fixtures).
 * Podman's values were captured here (`podman run --network none`, cgroupfs manager, through a
 * runtime that copies config.json); CRI's are the shape containerd 1.6's CRI plugin writes for
 * a pod's pause container and a Guaranteed workload container (FIELD-NOTES: the netns created
 * for CNI joined by path, kubelet's oomScoreAdj, the kubepods parent).
 */
import { describe, expect, it } from 'vitest';
import { makeHooksModifier } from '../../../shim/merge/hooks.js';
import { makeCgroupsPathModifier } from '../../../shim/merge/cgroups-path.js';
import { makeSysctlsModifier } from '../../../shim/merge/sysctls.js';
import { makePropagationModifier } from '../../../shim/merge/propagation.js';
import { makeLsmModifier } from '../../../shim/merge/lsm.js';
import { makeUnifiedModifier } from '../../../shim/merge/unified.js';
import { makeOomScoreModifier } from '../../../shim/merge/oom-score.js';
import { makeDevicesModifier } from '../../../shim/merge/devices.js';
import type { MergeInputs } from '../../../shim/merge/types.js';
import type { Spec } from '../../../shim/oci/types.js';
import { mergeInputs } from '../../helpers/merge-inputs.js';

const FLOOR = [makeHooksModifier, makeCgroupsPathModifier, makeSysctlsModifier, makePropagationModifier, makeLsmModifier, makeUnifiedModifier, makeOomScoreModifier, makeDevicesModifier];

const PODMAN_ID = 'f9695837038ac44acc8503e731441669976a97ed5e318e0abfcb2020575190ea';
const SANDBOX_ID = '5c1b3a0a9d2f4e6b8c7d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b';
const WORKLOAD_ID = '9e0f1a2b5c1b3a0a9d2f4e6b8c7d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d';
const CRI_RULES = [
  { allow: false, access: 'rwm' },
  ...[[1, 3], [1, 8], [1, 7], [5, 0], [1, 5], [1, 9], [5, 1], [5, 2]].map(([major, minor]) => ({ allow: true, type: 'c', major, minor, access: 'rwm' })),
  { allow: true, type: 'c', major: 136, access: 'rwm' },
];

const ENGINES: Array<{ name: string; id: string; spec: Spec; after?: (s: Spec) => void }> = [
  {
    name: 'Podman 4.3, cgroupfs, --network none',
    id: PODMAN_ID,
    spec: {
      process: {},
      mounts: [
        { destination: '/etc/hosts', type: 'bind', source: '/x/userdata/hosts', options: ['bind', 'rprivate'] },
        { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['rprivate', 'nosuid', 'noexec', 'nodev', 'relatime', 'ro'] },
      ],
      linux: {
        cgroupsPath: `/libpod_parent/libpod-${PODMAN_ID}`,
        resources: { devices: [{ allow: false, access: 'rwm' }] },
        sysctl: { 'net.ipv4.ping_group_range': '0 0' },
        namespaces: [{ type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }],
      },
    },
  },
  {
    name: 'Podman 4.3, systemd cgroups',
    id: PODMAN_ID,
    spec: { process: {}, linux: { cgroupsPath: `machine.slice:libpod:${PODMAN_ID}`, resources: { devices: [{ allow: false, access: 'rwm' }] } } },
  },
  {
    name: 'CRI pause container (BestEffort, safe sysctls, CNI netns by path)',
    id: SANDBOX_ID,
    spec: {
      process: { oomScoreAdj: -998 },
      linux: {
        cgroupsPath: `/kubepods/besteffort/pod0f5e2c1a-1111-2222-3333-444455556666/${SANDBOX_ID}`,
        resources: { devices: CRI_RULES, cpu: { shares: 2 } },
        sysctl: { 'net.ipv4.ip_unprivileged_port_start': '0', 'net.ipv4.ping_group_range': '0 2147483647', 'kernel.shm_rmid_forced': '1' },
        namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'network', path: '/var/run/netns/cni-0f5e2c1a-aaaa-bbbb-cccc-ddddeeeeffff' }],
      },
    },
    after: (s) => expect(s.process!.oomScoreAdj).toBe(0),
  },
  {
    name: 'CRI Guaranteed workload container, systemd cgroups, joins the pause namespaces',
    id: WORKLOAD_ID,
    spec: {
      process: { oomScoreAdj: -997 },
      mounts: [{ destination: '/etc/hosts', type: 'bind', source: '/var/lib/kubelet/pods/u/etc-hosts', options: ['rbind', 'rprivate', 'rw'] }],
      linux: {
        cgroupsPath: `kubepods-pod0f5e2c1a_1111_2222_3333_444455556666.slice:cri-containerd:${WORKLOAD_ID}`,
        resources: { devices: CRI_RULES, memory: { limit: 134217728 } },
        namespaces: [{ type: 'pid' }, { type: 'mount' }, { type: 'ipc', path: '/proc/42/ns/ipc' }, { type: 'uts', path: '/proc/42/ns/uts' }, { type: 'network', path: '/proc/42/ns/net' }],
      },
    },
    after: (s) => expect(s.process!.oomScoreAdj).toBe(0),
  },
  {
    name: 'CRI Burstable workload, a HostToContainer volume (rslave)',
    id: WORKLOAD_ID,
    spec: {
      process: { oomScoreAdj: 999 },
      mounts: [{ destination: '/data', type: 'bind', source: '/srv/data', options: ['rbind', 'rslave', 'ro'] }],
      linux: { cgroupsPath: `/kubepods/burstable/pod0f5e2c1a-1111-2222-3333-444455556666/${WORKLOAD_ID}`, resources: { devices: CRI_RULES } },
    },
  },
];

describe('engine-shaped config.json passes the config.json floor', () => {
  it.each(ENGINES)('$name', ({ id, spec, after }) => {
    const inputs: MergeInputs = mergeInputs({}, { containerId: id });
    const out = structuredClone(spec);
    for (const make of FLOOR) make(inputs).apply({ spec: out, hostActions: [] });
    const { process: p1, ...rest1 } = out;
    const { process: p0, ...rest0 } = spec;
    expect(rest1).toEqual(rest0);
    if (after) after(out);
    else expect(p1).toEqual(p0);
  });
});
