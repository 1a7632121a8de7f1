/**
 * The create pipeline up to (not including) any write: load spec -> config -> choose and
 * load the profile -> compile its seccomp filter -> read host facts -> run the modifiers.
 * Shared by `create`/`run` (which then carry out host actions, write and exec runc) and by
 * the read-only `merge` command (which prints the result).
 */
import { dirname, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from './config/load.js';
import type { RuntimeConfig } from './config/schema.js';
import { readSpec, type LoadedSpec } from './spec/io.js';
import { selectProfile, type ProfileChoice } from './profile/select.js';
import type { LoadedProfile } from './profile/load.js';
import { loadCompiledProfile, type CompiledProfile } from './profile/cache.js';
import { compileSyscallFilter } from './seccomp/compile.js';
import { registerDecoded } from './seccomp/combine.js';
import { decodeSeccomp, type FilterModel } from './seccomp/model.js';
import { resolveHostFacts } from './host/facts.js';
import { mergeSpec } from './merge/index.js';
import type { MergeState } from './merge/types.js';
import type { SpecSeccomp } from './spec/types.js';
import { OpenclawError } from './errors.js';
import { formatListenerMetadata } from './agent/metadata.js';

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

/** The seccomp agent's policy for this profile, carried to it in listenerMetadata. */
export function agentMetadata(profile: LoadedProfile): string {
  const fs = profile.profile.spec.filesystem ?? {};
  const writable = new Set<string>(fs.writablePaths ?? []);
  for (const b of fs.allowedBindMounts ?? []) if (!b.readonly) writable.add(b.destination);
  return formatListenerMetadata({
    v: 1,
    profile: profile.profile.metadata.name,
    sha256: profile.sha256,
    errno: 1,
    writable: [...writable].map((p) => posix.normalize(p).replace(/(.)\/$/, '$1')).sort(),
  });
}

export function compileProfileSeccomp(profile: LoadedProfile, config: RuntimeConfig): SpecSeccomp | undefined {
  const filter = profile.profile.spec.isolation.syscallFilter;
  if (!filter) return undefined;
  try {
    return compileSyscallFilter(filter, {
      profileFile: profile.path,
      fieldBase: 'spec.isolation.syscallFilter',
      imported: profile.importedSeccomp,
      agent: { listenerPath: config.agent.socket, listenerMetadata: agentMetadata(profile) },
    });
  } catch (err) {
    throw err instanceof OpenclawError ? err.inFile(profile.path) : err;
  }
}

/**
 * The chosen profile, validated and compiled. A profile compiled before (same bytes, same
 * code, same agent socket) comes from the cache in <state.dir>/cache (profile/cache.ts); the
 * YAML parser and the profile schema are imported only on a miss.
 * NOTE when compileProfileSeccomp reads another config value, add it to compileInputs.
 */
export async function loadProfile(path: string, config: RuntimeConfig): Promise<CompiledProfile> {
  const loaded = await loadCompiledProfile(path, { stateDir: config.state.dir, compileInputs: [config.agent.socket] }, async () => {
    const { readProfileFile } = await import('./profile/load.js');
    const profile = readProfileFile(path);
    const compiledSeccomp = compileProfileSeccomp(profile, config);
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
  const { profile, compiledSeccomp } = await loadProfile(choice.path, config);
  const host = resolveHostFacts(spec.spec, profile.profile, input.bundle);
  const merged = mergeSpec(spec.spec, {
    profile,
    compiledSeccomp,
    config,
    containerId: input.containerId,
    host,
    bundle: input.bundle,
    cleanupHookPath: CLEANUP_HOOK_PATH,
    specFile: spec.path,
  });
  return { config, configPath, spec, choice, profile, compiledSeccomp, merged };
}
