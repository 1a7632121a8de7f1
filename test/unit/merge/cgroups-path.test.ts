import { describe, expect, it } from 'vitest';
import { makeCgroupsPathModifier, parentMatches } from '../../../shim/merge/cgroups-path.js';
import { RuntimeConfigSchema } from '../../../shim/config/schema.js';
import type { Spec } from '../../../shim/oci/types.js';
import { hostFacts, mergeInputs } from '../../helpers/merge-inputs.js';
import { expectRefusal } from './spec-refusals.helpers.js';
import type { CgroupFacts } from '../../../shim/host/types.js';

const ID = 'abc123';

const ROWS: Array<{ name: string; path?: string; parents?: string[]; cgroup?: CgroupFacts; refused?: RegExp }> = [
  // what the engines write (defaults of [cgroups] parents)
  { name: 'absent (runc bundle)', path: undefined },
  { name: 'empty', path: '' },
  { name: 'Docker cgroupfs', path: `/docker/${ID}` },
  { name: 'Docker systemd', path: `system.slice:docker:${ID}` },
  { name: 'containerd ctr', path: `/default/${ID}` },
  { name: 'containerd ctr, another namespace', path: `/golden/${ID}` },
  { name: 'CRI cgroupfs, besteffort', path: `/kubepods/besteffort/pod1234-5678/${ID}` },
  { name: 'CRI cgroupfs, guaranteed', path: `/kubepods/pod1234-5678/${ID}` },
  { name: 'CRI systemd', path: `kubepods-burstable-pod1234_5678.slice:cri-containerd:${ID}` },
  { name: 'Podman cgroupfs', path: `/libpod_parent/libpod-${ID}` },
  { name: 'Podman systemd', path: `machine.slice:libpod:${ID}` },
  { name: 'systemd with the default slice', path: `:docker:${ID}` },
  { name: 'relative (under runc\'s own cgroup)', path: `engine/${ID}` },
  { name: 'an admin parent', path: `/tenants/a/${ID}`, parents: ['/tenants/*'] },
  // refused
  { name: 'the root', path: '/', refused: /root of the cgroup tree/ },
  { name: 'a top-level cgroup (escapes the engine parent)', path: `/${ID}`, refused: /outside the engines' parents/ },
  { name: 'the Docker parent itself', path: '/docker', refused: /ends in "docker", not in this container's id/ },
  { name: 'another container', path: '/docker/0123456789ab', refused: /not in this container's id/ },
  { name: '.. escape', path: `/docker/../${ID}`, refused: /"\.\." component/ },
  { name: 'relative .. escape', path: `../../${ID}`, refused: /"\.\." component/ },
  { name: 'empty component', path: `/docker//${ID}`, refused: /"\/\/" component/ },
  { name: 'kubepods itself as parent', path: `/kubepods.slice/${ID}`, parents: ['/kubepods/**'], refused: /outside the engines' parents/ },
  { name: 'a parent not listed', path: `/system.slice/${ID}`, parents: ['/docker'], refused: /outside the engines' parents/ },
  { name: 'systemd unit of another container', path: 'system.slice:docker:0123456789ab', refused: /names the systemd unit/ },
  { name: 'systemd root slice', path: `-.slice:docker:${ID}`, refused: /systemd slice -\.slice/ },
  { name: 'systemd user slice', path: `user.slice:docker:${ID}`, refused: /systemd slice user\.slice/ },
  { name: 'an existing cgroup with processes (same id elsewhere)', path: `/docker/${ID}`, cgroup: { occupied: true, hasChildren: false }, refused: /processes in it/ },
  { name: 'an existing cgroup with children', path: `/docker/${ID}`, cgroup: { occupied: false, hasChildren: true }, refused: /child cgroups/ },
];

describe('cgroups-path modifier', () => {
  it.each(ROWS)('$name: $path', (row) => {
    const spec: Spec = { linux: row.path === undefined ? {} : { cgroupsPath: row.path } };
    const config = RuntimeConfigSchema.parse(row.parents ? { cgroups: { parents: row.parents } } : {});
    const run = () => makeCgroupsPathModifier(mergeInputs({}, { config, containerId: ID, host: hostFacts({ cgroup: row.cgroup }) })).apply({ spec, hostActions: [] });
    if (row.refused) return expectRefusal(run, 'linux.cgroupsPath', row.refused);
    run();
    expect(spec.linux!.cgroupsPath).toBe(row.path);
  });

  it.each([
    { pattern: '/docker', parent: ['docker'], want: true },
    { pattern: '/docker', parent: ['docker', 'x'], want: false },
    { pattern: '/kubepods/**', parent: ['kubepods'], want: true },
    { pattern: '/kubepods/**', parent: ['kubepods', 'burstable', 'pod1'], want: true },
    { pattern: '/kubepods/**', parent: ['kubepodsX'], want: false },
    { pattern: '/*', parent: ['anything'], want: true },
    { pattern: '/*', parent: [], want: false },
    { pattern: '/', parent: [], want: true },
    { pattern: '/pod*', parent: ['pod12'], want: true },
    { pattern: '/pod*', parent: ['xpod12'], want: false },
    { pattern: 'system.slice', parent: ['system.slice'], want: false },
  ])('parent pattern $pattern vs /$parent -> $want', ({ pattern, parent, want }) => {
    expect(parentMatches(pattern, parent)).toBe(want);
  });
});
