/**
 * Linux security module labels of the container process. Merge policy:
 * - process.apparmorProfile "unconfined" (Docker: --security-opt apparmor=unconfined) is
 *   refused; a named profile stays (only root loads AppArmor profiles), and an empty one stays
 *   (the engine found AppArmor off, or lets the host's default apply);
 * - process.selinuxLabel (user:role:type[:level]) must have a type in the config's
 *   `[lsm] selinux_types` (default container_t, container_init_t, container_kvm_t,
 *   svirt_lxc_net_t); spc_t, unconfined_t and every other domain are refused. An allow-list,
 *   because the policy has many unconfined or host domains and a creator may name any of them.
 */
import { OpenclawError } from '../errors.js';
import type { SpecProcess } from '../oci/types.js';
import type { MergeInputs, Modifier } from './types.js';

export const UNCONFINED_APPARMOR = 'unconfined';

/**
 * Refuses an unconfined AppArmor profile or an SELinux type not in `selinuxTypes`. Exported for
 * `runc exec --process FILE`, whose process carries its own labels: `fieldPrefix` is
 * "process." for config.json and "" for a process.json.
 */
export function checkProcessLabels(proc: SpecProcess, selinuxTypes: ReadonlySet<string>, file: string, fieldPrefix = 'process.'): void {
  if (typeof proc.apparmorProfile === 'string' && proc.apparmorProfile.trim() === UNCONFINED_APPARMOR) {
    throw new OpenclawError('merge', 'runs the container without AppArmor confinement (apparmorProfile "unconfined")', {
      file,
      field: `${fieldPrefix}apparmorProfile`,
      fix: 'drop --security-opt apparmor=unconfined and --privileged (Kubernetes: securityContext.appArmorProfile type Unconfined); use the engine default or a named profile',
    });
  }
  const label = proc.selinuxLabel;
  if (typeof label === 'string' && label !== '') {
    const type = label.split(':')[2];
    if (type === undefined || !selinuxTypes.has(type)) {
      throw new OpenclawError('merge', `runs the container in the SELinux domain "${type ?? label}", which is not a confined container type (${[...selinuxTypes].join(', ')})`, {
        file,
        field: `${fieldPrefix}selinuxLabel`,
        fix: 'drop --security-opt label=type:... / label=disable and --privileged (Kubernetes: securityContext.seLinuxOptions.type), or, if the host admin trusts that type, add it to [lsm] selinux_types of the openclaw config',
      });
    }
  }
}

export function makeLsmModifier(inputs: MergeInputs): Modifier {
  const types = new Set(inputs.config.lsm.selinux_types);
  return {
    name: 'lsm',
    apply({ spec }) {
      if (spec.process) checkProcessLabels(spec.process, types, inputs.specFile);
    },
  };
}
