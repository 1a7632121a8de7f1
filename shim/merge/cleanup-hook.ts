/**
 * Adds the poststop hook that undoes the host side of this create (hooks/openclaw-poststop)
 * whenever the merge planned host actions, i.e. whenever create will write a host record
 * (host/actions.ts writes one for any non-empty list). runc and crun run poststop hooks when
 * they destroy a container: on delete, whoever calls it, and at the end of a foreground `run`,
 * where the launcher has exec'd the runtime and no shim code runs after the container exits.
 * So every record (a rootfs bind, a per-container job directory, a bind source) is undone
 * once the container is gone, not left for `delete` or the next create's sweep.
 * Runs after every modifier that plans host actions. Merge policy: appended to the caller's
 * poststop hooks, once (keyed by path).
 */
import type { MergeInputs, Modifier } from './types.js';

export function makeCleanupHookModifier(inputs: MergeInputs): Modifier {
  return {
    name: 'cleanup-hook',
    apply({ spec, hostActions }) {
      if (hostActions.length === 0) return;
      const poststop = ((spec.hooks ??= {}).poststop ??= []);
      if (poststop.some((h) => h.path === inputs.cleanupHookPath)) return;
      poststop.push({ path: inputs.cleanupHookPath, args: ['openclaw-poststop', '--state-dir', inputs.config.state.dir] });
    },
  };
}
