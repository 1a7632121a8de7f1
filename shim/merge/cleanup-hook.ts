/**
 * Adds the poststop hook that undoes the host side of this create (hooks/openclaw-poststop),
 * when there is a host side to undo. runc runs poststop hooks on delete whoever calls it, so
 * the rootfs bind is released even when an engine deletes without going through the shim.
 * Runs after every modifier that plans host actions. Merge policy: appended to the caller's
 * poststop hooks, once (keyed by path).
 */
import type { MergeInputs, Modifier } from './types.js';

export function makeCleanupHookModifier(inputs: MergeInputs): Modifier {
  return {
    name: 'cleanup-hook',
    apply({ spec, hostActions }) {
      if (!hostActions.some((a) => a.kind === 'bind-rootfs')) return;
      const poststop = ((spec.hooks ??= {}).poststop ??= []);
      if (poststop.some((h) => h.path === inputs.cleanupHookPath)) return;
      poststop.push({ path: inputs.cleanupHookPath, args: ['openclaw-poststop', '--state-dir', inputs.config.state.dir] });
    },
  };
}
