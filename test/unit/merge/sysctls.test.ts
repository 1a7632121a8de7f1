import { describe, expect, it } from 'vitest';
import { makeSysctlsModifier } from '../../../shim/merge/sysctls.js';
import type { Spec, SpecNamespace } from '../../../shim/oci/types.js';
import { mergeInputs } from '../../helpers/merge-inputs.js';
import { expectRefusal } from './spec-refusals.helpers.js';

const PRIVATE: SpecNamespace[] = [{ type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'pid' }, { type: 'mount' }];
const without = (t: string) => PRIVATE.filter((n) => n.type !== t);

const ROWS: Array<{ key: string; value?: string; namespaces?: SpecNamespace[]; refused?: RegExp }> = [
  // Docker's defaults and Kubernetes' safe set
  { key: 'net.ipv4.ping_group_range', value: '0 2147483647' },
  { key: 'net.ipv4.ip_unprivileged_port_start', value: '0' },
  { key: 'net.ipv4.ip_local_port_range', value: '1024 65000' },
  { key: 'net.ipv4.tcp_syncookies', value: '1' },
  { key: 'kernel.shm_rmid_forced', value: '1' },
  // namespaced under a private namespace
  { key: 'net.core.somaxconn', value: '1024' },
  { key: 'kernel.shmmax', value: '1' },
  { key: 'kernel.msgmnb', value: '1' },
  { key: 'kernel.sem', value: '250 32000 100 128' },
  { key: 'fs.mqueue.msg_max', value: '10' },
  // a netns joined by path (CRI's pause container joins the netns containerd made for CNI)
  { key: 'net.ipv4.tcp_syncookies', namespaces: [{ type: 'network', path: '/var/run/netns/cni-1' }, { type: 'ipc' }] },
  // refused: host-wide
  { key: 'kernel.core_pattern', value: '|/tmp/x', refused: /not namespaced/ },
  { key: 'kernel.hostname', refused: /not namespaced/ },
  { key: 'vm.overcommit_memory', refused: /not namespaced/ },
  { key: 'fs.file-max', refused: /not namespaced/ },
  { key: 'kernel.modprobe', refused: /not namespaced/ },
  { key: 'user.max_user_namespaces', refused: /not namespaced/ },
  { key: 'net/../kernel/core_pattern', refused: /not namespaced/ },
  { key: 'net..ipv4', refused: /not namespaced/ },
  // refused: namespaced, but the container shares the host's namespace
  { key: 'net.ipv4.tcp_syncookies', namespaces: without('network'), refused: /without a private network namespace.*host's/ },
  { key: 'kernel.shmmax', namespaces: without('ipc'), refused: /without a private ipc namespace/ },
  { key: 'kernel.shmmax', namespaces: [...without('ipc'), { type: 'ipc', path: '/proc/1/ns/ipc' }], refused: /joined namespace/ },
];

describe('sysctls modifier', () => {
  it.each(ROWS)('$key (namespaces: $namespaces)', (row) => {
    const spec: Spec = { linux: { namespaces: row.namespaces ?? PRIVATE, sysctl: { [row.key]: row.value ?? '1' } } };
    const before = structuredClone(spec);
    const run = () => makeSysctlsModifier(mergeInputs({})).apply({ spec, hostActions: [] });
    if (row.refused) return expectRefusal(run, `linux.sysctl["${row.key}"]`, row.refused);
    run();
    expect(spec).toEqual(before);
  });
});
