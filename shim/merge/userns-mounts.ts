/**
 * Kernel mounts a user namespace cannot make in namespaces it joined (a pod's): sysfs becomes
 * a read-only recursive bind of /sys, /dev/mqueue is left out (userns.ts says why for each).
 * After the filesystem modifier, which judges the caller's binds: this bind is the runtime's
 * own view of sysfs, not a host path the caller asked for.
 */
import type { MergeInputs, Modifier } from './types.js';
import { mqueueInForeignIpc, sysfsInForeignNetns } from './userns.js';
import { wantsIsolation } from '../profile/namespaces.js';

export function makeUsernsMountsModifier(inputs: MergeInputs): Modifier {
  const mode = inputs.profile.profile.spec.isolation.namespaces?.user;
  return {
    name: 'userns-mounts',
    apply({ spec }) {
      if (!wantsIsolation(mode)) return;
      sysfsInForeignNetns(spec);
      mqueueInForeignIpc(spec);
    },
  };
}
