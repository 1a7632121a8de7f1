import { describe, expect, it } from 'vitest';
import { makeLsmModifier } from '../../../shim/merge/lsm.js';
import { RuntimeConfigSchema } from '../../../shim/config/schema.js';
import type { Spec } from '../../../shim/oci/types.js';
import { mergeInputs } from '../../helpers/merge-inputs.js';
import { expectRefusal } from './spec-refusals.helpers.js';

const ROWS: Array<{ name: string; process: Record<string, unknown>; types?: string[]; refused?: { field: string; problem: RegExp } }> = [
  { name: 'no labels (AppArmor and SELinux off)', process: {} },
  { name: 'empty labels', process: { apparmorProfile: '', selinuxLabel: '' } },
  { name: 'docker-default', process: { apparmorProfile: 'docker-default' } },
  { name: 'cri-containerd.apparmor.d', process: { apparmorProfile: 'cri-containerd.apparmor.d' } },
  { name: 'container_t with MCS level', process: { selinuxLabel: 'system_u:system_r:container_t:s0:c123,c456' } },
  { name: 'container_init_t', process: { selinuxLabel: 'system_u:system_r:container_init_t:s0' } },
  { name: 'a type the admin added', process: { selinuxLabel: 'system_u:system_r:my_container_t:s0' }, types: ['my_container_t'] },
  { name: 'apparmor unconfined', process: { apparmorProfile: 'unconfined' }, refused: { field: 'process.apparmorProfile', problem: /unconfined/ } },
  { name: 'spc_t', process: { selinuxLabel: 'system_u:system_r:spc_t:s0' }, refused: { field: 'process.selinuxLabel', problem: /"spc_t"/ } },
  { name: 'unconfined_t', process: { selinuxLabel: 'unconfined_u:unconfined_r:unconfined_t:s0' }, refused: { field: 'process.selinuxLabel', problem: /"unconfined_t"/ } },
  { name: 'container_runtime_t', process: { selinuxLabel: 'system_u:system_r:container_runtime_t:s0' }, refused: { field: 'process.selinuxLabel', problem: /container_runtime_t/ } },
  { name: 'a label without a type', process: { selinuxLabel: 'garbage' }, refused: { field: 'process.selinuxLabel', problem: /garbage/ } },
  { name: 'container_t when the admin narrowed the list', process: { selinuxLabel: 'system_u:system_r:container_t:s0' }, types: ['my_container_t'], refused: { field: 'process.selinuxLabel', problem: /container_t/ } },
];

describe('lsm modifier', () => {
  it.each(ROWS)('$name', (row) => {
    const spec: Spec = { process: structuredClone(row.process) };
    const config = RuntimeConfigSchema.parse(row.types ? { lsm: { selinux_types: row.types } } : {});
    const run = () => makeLsmModifier(mergeInputs({}, { config })).apply({ spec, hostActions: [] });
    if (row.refused) return expectRefusal(run, row.refused.field, row.refused.problem);
    run();
    expect(spec.process).toEqual(row.process);
  });
});
