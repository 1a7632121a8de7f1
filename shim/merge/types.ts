/**
 * The merge is an ordered list of small modifiers over a copy of config.json. A modifier has
 * one job and does no I/O: everything it needs from the host (device nodes, whether a path
 * exists, the real path behind a symlink) is resolved beforehand by host/facts.ts and handed
 * in as HostFacts. A modifier that must refuse throws an OpenclawError naming the field.
 * Anything that has to change on the host (a bind mount, a chown) is returned as a
 * HostAction for host/actions.ts to carry out after the whole merge succeeded.
 */
import type { Spec } from '../oci/types.js';
import type { CompiledFilter } from '../seccomp/oci-codec.js';
import type { LoadedProfile } from '../profile/load.js';
import type { RuntimeConfig } from '../config/schema.js';
import type { HostAction, HostFacts } from '../host/types.js';

export interface MergeInputs {
  profile: LoadedProfile;
  /** The profile's syscallFilter compiled, in OCI form and decoded (undefined: the profile has none). */
  compiledFilter?: CompiledFilter;
  config: RuntimeConfig;
  containerId: string;
  host: HostFacts;
  /** Absolute bundle directory. */
  bundle: string;
  /** Absolute path of hooks/openclaw-poststop (the cleanup hook added when the host changes). */
  cleanupHookPath: string;
  /** The host's seal key (merge/seal.ts); without it a merged filter is always merged again. */
  sealKey?: Buffer;
  /** The config.json path, for error messages. */
  specFile: string;
  /** The runtime config's path, for error messages (default /etc/openclaw/config.toml). */
  configFile?: string;
  /**
   * Set only for a CRI pod sandbox: the profile the RuntimeClass chose for the pod (`profile`
   * is then the fixed pause policy with this profile's namespaces; merge/pause.ts).
   */
  podProfile?: LoadedProfile;
}

export interface MergeState {
  spec: Spec;
  hostActions: HostAction[];
}

export interface Modifier {
  /** Short name: mergeSpec logs each step by it and names it when the modifier fails unexpectedly. */
  readonly name: string;
  apply(state: MergeState): void;
}
