/**
 * The create pipeline up to (not including) any write: load spec -> config -> choose and
 * load the profile -> compile its seccomp filter -> read host facts -> run the modifiers.
 * Shared by `create`/`run` (which then carry out host actions, write and exec runc) and by
 * the read-only `merge` command (which prints the result).
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from './config/load.js';
import { initRuntimesFor } from './config/runtime-path.js';
import type { RuntimeConfig } from './config/schema.js';
import { readSpec, type LoadedSpec } from './spec/io.js';
import { selectProfile, type ProfileChoice } from './profile/select.js';
import type { LoadedProfile } from './profile/load.js';
import { loadCompiledProfile, type CompiledProfile } from './profile/cache.js';
import { registerDecoded } from './seccomp/combine.js';
import { decodeSeccomp, type FilterModel } from './seccomp/model.js';
import { resolveHostFacts } from './host/facts.js';
import { mergeSpec } from './merge/index.js';
import { readOrCreateSealKey } from './host/seal-key.js';
import type { MergeState } from './merge/types.js';
import type { SpecSeccomp } from './spec/types.js';

/** hooks/openclaw-poststop of this package (dist/pipeline.js -> ../hooks). */
export const CLEANUP_HOOK_PATH = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'hooks', 'openclaw-poststop');

export interface PipelineInput {
  profileFlag?: string;
  configFlag?: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  bundle: string;
  containerId: string;
}

export interface PipelineResult {
  config: RuntimeConfig;
  configPath?: string;
  spec: LoadedSpec;
  choice: ProfileChoice;
  profile: LoadedProfile;
  compiledSeccomp?: SpecSeccomp;
  merged: MergeState;
}

/**
 * The chosen profile, validated and compiled. A profile compiled before (same bytes, same
 * code, same agent socket) comes from the cache in <state.dir>/cache (profile/cache.ts); the
 * YAML parser and the profile schema are imported only on a miss.
 * NOTE when compileProfileSeccomp (profile/compile-profile.ts) reads another config value, add it to compileInputs.
 */
export async function loadProfile(path: string, config: RuntimeConfig, env: NodeJS.ProcessEnv = process.env): Promise<CompiledProfile> {
  // The filter must let the chosen low-level runtime's init finish after it is loaded (runc and
  // crun do different things there, shim/seccomp/runc-init.ts).
  const initRuntimes = initRuntimesFor(config.runtime.candidates, env);
  const loaded = await loadCompiledProfile(path, { stateDir: config.state.dir, compileInputs: [config.agent.socket, initRuntimes.join(',')] }, async () => {
    const { readProfileFile } = await import('./profile/load.js');
    const { compileProfileSeccomp } = await import('./profile/compile-profile.js');
    const profile = readProfileFile(path);
    const compiledSeccomp = compileProfileSeccomp(profile, config, initRuntimes);
    return { profile, compiledSeccomp, compiledModel: compiledSeccomp && decodedOrNothing(compiledSeccomp) };
  });
  // The merge intersects with this filter; it need not decode it again.
  if (loaded.compiledSeccomp && loaded.compiledModel) registerDecoded(loaded.compiledSeccomp, loaded.compiledModel);
  return loaded;
}

/** A filter the merge cannot decode is left to the merge, which reports it as it always has. */
function decodedOrNothing(seccomp: SpecSeccomp): FilterModel | undefined {
  try {
    return decodeSeccomp(seccomp);
  } catch {
    return undefined;
  }
}

export async function runPipeline(input: PipelineInput): Promise<PipelineResult> {
  const { config, path: configPath } = await loadConfig(input.configFlag, input.env);
  const spec = readSpec(input.bundle);
  const choice = selectProfile({ flag: input.profileFlag, spec: spec.spec, config, configPath, cwd: input.cwd });
  const { profile, compiledSeccomp } = await loadProfile(choice.path, config, input.env);
  const host = resolveHostFacts(spec.spec, profile.profile, input.bundle, config.state.dir);
  const merged = mergeSpec(spec.spec, {
    profile,
    compiledSeccomp,
    config,
    containerId: input.containerId,
    host,
    bundle: input.bundle,
    cleanupHookPath: CLEANUP_HOOK_PATH,
    sealKey: readOrCreateSealKey(config.state.dir),
    specFile: spec.path,
  });
  return { config, configPath, spec, choice, profile, compiledSeccomp, merged };
}
