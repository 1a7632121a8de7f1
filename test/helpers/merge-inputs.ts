/** Builds MergeInputs for modifier unit tests from a profile `spec` object, without I/O. */
import { ProfileSchema } from '../../shim/profile/schema.js';
import { RuntimeConfigSchema } from '../../shim/config/schema.js';
import type { MergeInputs } from '../../shim/merge/types.js';
import type { LoadedProfile } from '../../shim/profile/load.js';
import type { Spec } from '../../shim/oci/types.js';
import type { HostFacts } from '../../shim/host/types.js';
import { hookFactsWanted } from '../../shim/oci/hooks.js';

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
  return { nvidiaDevices: [], paths: {}, rootfsTraversableByOthers: true, rootfsSelfTraversable: true, missingMountpoints: [], hookExecutables: {}, rootOnlyDirs: {}, ...over };
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

/**
 * Host facts for a config.json captured from an engine (test/golden/fixtures): the process
 * behind Docker's /proc/<pid>/exe hook is a root dockerd from a root-only file, and its exec
 * root is root's, as they were on the machine that captured it.
 */
export function capturedEngineHost(spec: { hooks?: unknown }): Pick<HostFacts, 'hookExecutables' | 'rootOnlyDirs'> {
  const wanted = hookFactsWanted(spec as Spec);
  return {
    hookExecutables: Object.fromEntries(wanted.executables.map((p) => [p, { realPath: '/usr/sbin/dockerd', rootOnly: true, processIsRoot: true }])),
    rootOnlyDirs: Object.fromEntries(wanted.dirs.map((d) => [d, true])),
  };
}

/** The container id the engine gave runc for a captured config.json: the last component of its cgroupsPath. */
export function capturedContainerId(spec: { linux?: { cgroupsPath?: string } }): string {
  return spec.linux!.cgroupsPath!.split(/[/:]/).pop()!;
}
