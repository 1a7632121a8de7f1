/**
 * The create pipeline up to (not including) any write: load spec -> config -> choose and
 * load the profile -> compile its seccomp filter -> read host facts -> run the modifiers.
 * Shared by `create`/`run` (which then carry out host actions, write and exec runc) and by
 * the read-only `merge` command (which prints the result).
 */
import type { ParsedArgv } from './cli/argv.js';
import { loadConfig } from './config/load.js';
import type { RuntimeConfig } from './config/schema.js';
import { readSpec, type LoadedSpec } from './oci/bundle.js';
import { PROFILE_ANNOTATION, selectProfile, type ProfileChoice } from './profile/select.js';
import { OpenclawError } from './errors.js';
import type { LoadedProfile } from './profile/load.js';
import type { CompiledProfile } from './profile/cache.js';
import { loadProfileForConfig } from './profile/load-for-config.js';
import { resolveHostFacts } from './host/facts.js';
import { resolveCdiFacts } from './host/cdi-specs.js';
import { DEFAULT_CONFIG_PATH } from './config/defaults.js';
import { DEFAULT_RUNC_ROOT } from './host/actions.js';
import { isCriSandbox } from './oci/caller.js';
import { CRI_SANDBOX_PROFILE_PATH, sandboxProfile } from './profile/pod-sandbox.js';
import { CLEANUP_HOOK_PATH } from './package.js';
import { mergeSpec } from './merge/index.js';
import { readOrCreateSealKey } from './host/seal-key.js';
import type { MergeState } from './merge/types.js';
import type { CompiledFilter } from './seccomp/oci-codec.js';
import { wantsIsolation } from './profile/namespaces.js';
import { originalRootfs } from './host/rootfs.js';

export interface PipelineInput {
  profileFlag?: string;
  configFlag?: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  bundle: string;
  containerId: string;
  /** runc's --root (the engine's container state; joined namespaces are checked against it). */
  runcRoot?: string;
}

/** The pipeline's input for a command line: the shim's flags, runc's --root, and the container it names. */
export function pipelineInputFrom(
  argv: Pick<ParsedArgv, 'shim' | 'globals'>,
  target: { bundle: string; containerId: string },
  ctx: { cwd: string; env: NodeJS.ProcessEnv },
): PipelineInput {
  return {
    profileFlag: argv.shim.profile,
    configFlag: argv.shim.openclawConfig,
    env: ctx.env,
    cwd: ctx.cwd,
    bundle: target.bundle,
    containerId: target.containerId,
    runcRoot: argv.globals.root,
  };
}

export interface PipelineResult {
  config: RuntimeConfig;
  configPath?: string;
  spec: LoadedSpec;
  choice: ProfileChoice;
  profile: LoadedProfile;
  compiledFilter?: CompiledFilter;
  merged: MergeState;
}

/**
 * Audit mode loosens (denials logged, not enforced), and the creator of a container is not
 * trusted: a profile in audit mode is only ever chosen by the operator (--profile, the config's
 * default), never by annotation, even one the config lists.
 */
export function refuseAuditByAnnotation(choice: ProfileChoice, chosen: CompiledProfile, configPath: string | undefined): void {
  if (choice.source !== 'annotation' || chosen.profile.profile.spec.isolation.syscallFilter?.audit !== true) return;
  throw new OpenclawError('profile', `annotation ${PROFILE_ANNOTATION}="${choice.requested}" chooses a profile in audit mode (its syscall denials are logged, not enforced), which only the operator may choose`, {
    file: 'config.json',
    field: `annotations["${PROFILE_ANNOTATION}"]`,
    fix: `remove the annotation, or have the operator choose the profile with --profile, or take "${choice.requested}" out of annotations.allowed_profiles in ${configPath ?? '/etc/openclaw/config.toml'} (audit mode: ${chosen.profile.path}, spec.isolation.syscallFilter.audit)`,
  });
}

export async function runPipeline(input: PipelineInput): Promise<PipelineResult> {
  const { config, path: configPath } = await loadConfig(input.configFlag, input.env);
  const spec = readSpec(input.bundle);
  const choice = selectProfile({ flag: input.profileFlag, spec: spec.spec, config, configPath, cwd: input.cwd });
  const chosen = await loadProfileForConfig(choice.path, config);
  refuseAuditByAnnotation(choice, chosen, configPath);
  // A pod's sandbox (pause) container: the fixed pause policy with the chosen profile's namespaces.
  const sandbox = isCriSandbox(spec.spec) ? await loadProfileForConfig(CRI_SANDBOX_PROFILE_PATH, config) : undefined;
  const profile = sandbox ? sandboxProfile(sandbox.profile, chosen.profile) : chosen.profile;
  const compiledFilter = sandbox ? sandbox.compiledFilter : chosen.compiledFilter;
  const host = resolveHostFacts(spec.spec, profile.profile, {
    bundle: input.bundle,
    stateDir: config.state.dir,
    jobsDir: config.jobs.dir,
    containerId: input.containerId,
    engine: { config, runcRoot: input.runcRoot ?? DEFAULT_RUNC_ROOT },
  });
  // CDI devices need the rootfs only where a user namespace keeps runc from making mount points.
  const userNsRootfs = wantsIsolation(profile.profile.spec.isolation.namespaces?.user) && !host.rootfsUnsafe ? originalRootfs(spec.spec, input.bundle, config.state.dir) : undefined;
  host.cdi = await resolveCdiFacts({ spec: spec.spec, specFile: spec.path, profile: profile.profile, profileFile: profile.path, config, configFile: configPath ?? DEFAULT_CONFIG_PATH, userNsRootfs });
  const merged = mergeSpec(spec.spec, {
    profile,
    compiledFilter,
    config,
    containerId: input.containerId,
    host,
    bundle: input.bundle,
    cleanupHookPath: CLEANUP_HOOK_PATH,
    sealKey: readOrCreateSealKey(config.state.dir),
    specFile: spec.path,
    configFile: configPath ?? DEFAULT_CONFIG_PATH,
    ...(sandbox ? { podProfile: chosen.profile } : {}),
  });
  return { config, configPath, spec, choice, profile, compiledFilter, merged };
}
