/**
 * The merge: config.json in, tightened config.json (and the host actions it needs) out.
 * Modifiers run in this order; each one reads only its own profile section and host facts.
 * The order matters where one builds on another: namespaces before userns (userns fills in
 * the maps of the namespace `namespaces` added); filesystem before userns (a bind source the
 * filesystem modifier creates must exist before userns hands it to the mapped root: host
 * actions run in the order they were planned); pause after filesystem (it makes a pod
 * sandbox's binds read-only); annotations last.
 */
import { deepClone } from '../spec/json.js';
import type { Spec } from '../spec/types.js';
import type { MergeInputs, MergeState, Modifier } from './types.js';
import { makeNamespacesModifier } from './namespaces.js';
import { makeUsernsModifier } from './userns.js';
import { makeCgroupsModifier } from './cgroups.js';
import { makeFilesystemModifier } from './filesystem.js';
import { makeProcessModifier } from './process.js';
import { makeDevicesModifier } from './devices.js';
import { makeSeccompModifier } from './seccomp.js';
import { makeAnnotationsModifier } from './annotations.js';
import { makeCleanupHookModifier } from './cleanup-hook.js';
import { makePauseModifier } from './pause.js';

export const MODIFIER_FACTORIES: ReadonlyArray<(inputs: MergeInputs) => Modifier> = [
  makeNamespacesModifier,
  makeCgroupsModifier,
  makeFilesystemModifier,
  makeUsernsModifier,
  makeProcessModifier,
  makeDevicesModifier,
  makeSeccompModifier,
  makePauseModifier,
  makeCleanupHookModifier,
  makeAnnotationsModifier,
];

/** Applies every modifier to a copy of `spec`; the input is never changed. */
export function mergeSpec(spec: Spec, inputs: MergeInputs): MergeState {
  const state: MergeState = { spec: deepClone(spec), hostActions: [] };
  for (const make of MODIFIER_FACTORIES) make(inputs).apply(state);
  return state;
}
