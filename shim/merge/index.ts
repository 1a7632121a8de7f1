/**
 * The merge: config.json in, tightened config.json (and the host actions it needs) out.
 * Modifiers run in this order; each one reads only its own profile section and host facts.
 * The order matters where one builds on another: namespaces before userns (userns fills in
 * the maps of the namespace `namespaces` added); userns before filesystem (a writable bind
 * source the shim creates is owned by the container's root, which filesystem reads from the
 * maps userns wrote); pause after filesystem (it makes a pod sandbox's binds read-only);
 * annotations last. The checks of what the caller's config.json asks for (hooks, cgroupsPath,
 * sysctls, propagation, LSM labels, unified cgroup files) run first, on the caller's values,
 * before anything is added: the hooks check must see the caller's hooks, not the cleanup hook
 * added at the end, nor the CDI hooks (from root-only spec files, checked by host/cdi-specs.ts).
 */
import { deepClone } from '../util/json.js';
import { isOpenclawError } from '../errors.js';
import { debugLog } from '../log.js';
import type { Spec } from '../oci/types.js';
import type { MergeInputs, MergeState, Modifier } from './types.js';
import { makeNamespacesModifier } from './namespaces.js';
import { makeUsernsModifier } from './userns.js';
import { makeCgroupsModifier } from './cgroups.js';
import { makeFilesystemModifier } from './filesystem.js';
import { makeProcessModifier } from './process.js';
import { makeDevicesModifier } from './devices.js';
import { makeCdiModifier } from './cdi.js';
import { makeSeccompModifier } from './seccomp.js';
import { makeAnnotationsModifier } from './annotations.js';
import { makeCleanupHookModifier } from './cleanup-hook.js';
import { makeHooksModifier } from './hooks.js';
import { makeCgroupsPathModifier } from './cgroups-path.js';
import { makeSysctlsModifier } from './sysctls.js';
import { makePropagationModifier } from './propagation.js';
import { makeLsmModifier } from './lsm.js';
import { makeUnifiedModifier } from './unified.js';
import { makeOomScoreModifier } from './oom-score.js';
import { makePauseModifier } from './pause.js';
import { makeUsernsMountsModifier } from './userns-mounts.js';

export const MODIFIER_FACTORIES: ReadonlyArray<(inputs: MergeInputs) => Modifier> = [
  makeHooksModifier,
  makeCgroupsPathModifier,
  makeSysctlsModifier,
  makePropagationModifier,
  makeLsmModifier,
  makeUnifiedModifier,
  makeNamespacesModifier,
  makeCgroupsModifier,
  makeUsernsModifier,
  makeFilesystemModifier,
  makeUsernsMountsModifier,
  makeProcessModifier,
  makeOomScoreModifier,
  makeDevicesModifier,
  makeCdiModifier,
  makeSeccompModifier,
  makePauseModifier,
  makeCleanupHookModifier,
  makeAnnotationsModifier,
];

/**
 * Applies every modifier to a copy of `spec`; the input is never changed. Each step is
 * debug-logged by name. A refusal (OpenclawError) passes as it is; anything else is a bug in
 * a modifier, rethrown naming the modifier with the original's frames (still an internal error).
 */
export function mergeSpec(spec: Spec, inputs: MergeInputs, factories = MODIFIER_FACTORIES): MergeState {
  const state: MergeState = { spec: deepClone(spec), hostActions: [] };
  for (const make of factories) {
    const modifier = make(inputs);
    const actionsBefore = state.hostActions.length;
    try {
      modifier.apply(state);
    } catch (err) {
      if (isOpenclawError(err)) throw err;
      throw inModifier(modifier.name, err);
    }
    debugLog('debug', 'merge step', { modifier: modifier.name, hostActions: state.hostActions.length - actionsBefore });
  }
  return state;
}

function inModifier(name: string, err: unknown): Error {
  const wrapped = new Error(`merge step "${name}": ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  if (err instanceof Error && err.stack) wrapped.stack = `Error: ${wrapped.message}\n${err.stack.split('\n').slice(1).join('\n')}`;
  return wrapped;
}
