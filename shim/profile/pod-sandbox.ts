/**
 * The profile a pod's sandbox (pause) container runs under: the fixed pause policy,
 * profiles/internal/cri-sandbox.yaml, with the namespaces of the profile the RuntimeClass
 * chose for the pod. Why, and what the pause modifier adds: merge/pause.ts.
 */
import { resolve } from 'node:path';
import { PROFILES_DIR } from '../package.js';
import type { LoadedProfile } from './load.js';

export const CRI_SANDBOX_PROFILE_PATH = resolve(PROFILES_DIR, 'internal', 'cri-sandbox.yaml');

/** The pause policy with the pod's chosen profile's namespaces: what the sandbox container gets. */
export function sandboxProfile(pause: LoadedProfile, chosen: LoadedProfile): LoadedProfile {
  const p = pause.profile;
  return {
    ...pause,
    profile: {
      ...p,
      spec: { ...p.spec, isolation: { ...p.spec.isolation, namespaces: { ...chosen.profile.spec.isolation.namespaces } } },
    },
  };
}
