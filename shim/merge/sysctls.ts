/**
 * linux.sysctl. runc writes each key under /proc/sys as root before the container starts; a
 * key that is not namespaced changes the whole host (vm.*, kernel.core_pattern, fs.*).
 * Merge policy: a key stays only when it is namespaced by a namespace the container has
 * (SYSCTL_NAMESPACES):
 * - net.* with a network namespace (runc itself refuses one that is the host's);
 * - kernel.shm*, kernel.msg*, kernel.sem*, fs.mqueue.* with a private IPC namespace (no
 *   `path`: a joined one may be the host's);
 * together these hold Kubernetes' "safe" set (kernel.shm_rmid_forced, net.ipv4.ip_local_port_range,
 * tcp_syncookies, ping_group_range, ip_unprivileged_port_start, ...). Every other key
 * (other kernel.*, vm.*, fs.*, dev.*, user.*, abi.*) and any key that is not dotted
 * `[A-Za-z0-9_-]` components is refused.
 */
import { OpenclawError } from '../errors.js';
import type { NamespaceType, SpecNamespace } from '../oci/types.js';
import type { MergeInputs, Modifier } from './types.js';

interface SysctlClass {
  test: (key: string) => boolean;
  namespace: NamespaceType;
  /** Whether a namespace joined by path is enough (runc checks that one is not the host's). */
  joinedOk: boolean;
  flag: string;
}

export const SYSCTL_NAMESPACES: readonly SysctlClass[] = [
  { test: (k) => k.startsWith('net.'), namespace: 'network', joinedOk: true, flag: '--network host' },
  { test: (k) => /^kernel\.(shm|msg|sem)/.test(k) || k.startsWith('fs.mqueue.'), namespace: 'ipc', joinedOk: false, flag: '--ipc host or --ipc container:...' },
];

const KEY_RE = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+$/;

export function sysctlClass(key: string): SysctlClass | undefined {
  return KEY_RE.test(key) ? SYSCTL_NAMESPACES.find((c) => c.test(key)) : undefined;
}

export function makeSysctlsModifier(inputs: MergeInputs): Modifier {
  return {
    name: 'sysctls',
    apply({ spec }) {
      const sysctl = spec.linux?.sysctl;
      if (sysctl === undefined || sysctl === null) return;
      const namespaces: SpecNamespace[] = spec.linux?.namespaces ?? [];
      for (const key of Object.keys(sysctl)) {
        const field = `linux.sysctl["${key}"]`;
        const cls = sysctlClass(key);
        if (!cls) {
          throw new OpenclawError('merge', `sets the sysctl ${key}, which is not namespaced: runc would change it for the whole host`, {
            file: inputs.specFile,
            field,
            fix: 'remove it (Docker: --sysctl; Kubernetes: securityContext.sysctls); only net.* and the IPC sysctls (kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.*) are per container',
          });
        }
        const ns = namespaces.find((n) => n.type === cls.namespace);
        if (!ns || (ns.path && !cls.joinedOk)) {
          throw new OpenclawError('merge', `sets the sysctl ${key} without a private ${cls.namespace} namespace: it would change the ${ns ? 'joined namespace' : "host's"} setting`, {
            file: inputs.specFile,
            field,
            fix: `remove the sysctl or run the container with its own ${cls.namespace} namespace (drop ${cls.flag}; Kubernetes: hostNetwork/hostIPC)`,
          });
        }
      }
    },
  };
}
