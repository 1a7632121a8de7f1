/**
 * The pod sandbox ("pause") container of containerd's CRI plugin
 * (io.kubernetes.cri.container-type: sandbox) runs under a fixed minimal policy,
 * profiles/internal/cri-sandbox.yaml, whatever profile the RuntimeClass chose: one process, no
 * writes, no seccomp agent, so a pod never depends on the agent to exist. Only the chosen
 * profile's namespaces (and so its user-namespace mapping) carry over, because the pod's other
 * containers share the sandbox's namespaces (profile/pod-sandbox.ts sandboxProfile, used by the pipeline).
 *
 * The claim comes from annotations, which a container's creator may write: the policy is built
 * so that claiming it gains nothing (test/unit/merge/pause.test.ts compares it call by call
 * with every shipped profile), and a claim that contradicts itself (its sandbox-id names another
 * container) is refused outright. This modifier, active only for a sandbox, also takes what
 * the pause process never needs: /dev becomes noexec, /dev/mqueue goes, engine files are read-only.
 */
import { OpenclawError } from '../errors.js';
import { CRI_SANDBOX_ID } from '../oci/caller.js';
import type { MergeInputs, Modifier } from './types.js';
import { isBindMount } from '../oci/mounts.js';

/** Which RuntimeClass profile the pod's sandbox was started for (its own policy is cri-sandbox). */
export const POD_PROFILE_ANNOTATION = 'org.openclaw.profile.pod';
export function makePauseModifier(inputs: MergeInputs): Modifier {
  return {
    name: 'pause',
    apply({ spec }) {
      const chosen = inputs.podProfile;
      if (!chosen) return;
      const claimed = spec.annotations?.[CRI_SANDBOX_ID];
      if (claimed !== inputs.containerId) {
        throw new OpenclawError('merge', `claims to be a pod sandbox (io.kubernetes.cri.container-type: sandbox) but its ${CRI_SANDBOX_ID} is ${JSON.stringify(claimed ?? null)}, not its own id ${inputs.containerId}`, {
          file: inputs.specFile,
          field: `annotations.${CRI_SANDBOX_ID}`,
          fix: 'only containerd\'s CRI plugin creates sandbox containers; remove the io.kubernetes.cri.* annotations from this container',
        });
      }
      for (const m of spec.mounts ?? []) {
        if (m.destination === '/dev' && m.type === 'tmpfs' && !(m.options ?? []).includes('noexec')) m.options = [...(m.options ?? []), 'noexec'];
        if (isBindMount(m)) m.options = [...(m.options ?? []).filter((o) => o !== 'rw'), ...((m.options ?? []).includes('ro') ? [] : ['ro'])];
      }
      if (spec.mounts) spec.mounts = spec.mounts.filter((m) => m.type !== 'mqueue');
      (spec.annotations ??= {})[POD_PROFILE_ANNOTATION] = chosen.profile.metadata.name;
    },
  };
}
