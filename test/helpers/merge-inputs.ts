/** Builds MergeInputs for modifier unit tests from a profile `spec` object, without I/O. */
import { ProfileSchema } from '../../shim/profile/schema.js';
import { RuntimeConfigSchema } from '../../shim/config/schema.js';
import type { HostFacts, MergeInputs } from '../../shim/merge/types.js';
import type { LoadedProfile } from '../../shim/profile/load.js';

export function loadedProfile(spec: Record<string, unknown>, name = 'test'): LoadedProfile {
  const profile = ProfileSchema.parse({
    apiVersion: 'security.openclaw.org/v1alpha1',
    kind: 'SandboxProfile',
    metadata: { name },
    spec,
  });
  return { profile, path: `/profiles/${name}.yaml`, sha256: 'f'.repeat(64) };
}

export function hostFacts(over: Partial<HostFacts> = {}): HostFacts {
  return { nvidiaDevices: [], paths: {}, rootfsTraversableByOthers: true, rootfsSelfTraversable: true, missingMountpoints: [], ...over };
}

export function mergeInputs(spec: Record<string, unknown>, over: Partial<MergeInputs> = {}): MergeInputs {
  return {
    profile: loadedProfile(spec),
    config: RuntimeConfigSchema.parse({}),
    containerId: 'c1',
    host: hostFacts(),
    bundle: '/bundle',
    cleanupHookPath: '/opt/openclaw/hooks/openclaw-poststop',
    specFile: '/bundle/config.json',
    ...over,
  };
}
