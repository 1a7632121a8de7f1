/**
 * The chosen profile, validated and compiled, for a runtime config. A profile compiled before
 * (same bytes, same code, same compile inputs) comes from the cache in <state.dir>/cache
 * (profile/cache.ts); the YAML parser, the profile schema and the seccomp compiler are imported
 * only on a miss. Light on purpose: `exec` needs the profile on every call and nothing of the
 * merge (pipeline.ts adds what create needs on top).
 */
import type { RuntimeConfig } from '../config/schema.js';
import { loadCompiledProfile, type CompiledProfile } from './cache.js';
import { compileInputsOf } from './compile-inputs.js';

export async function loadProfileForConfig(path: string, config: RuntimeConfig): Promise<CompiledProfile> {
  const inputs = compileInputsOf(config);
  return loadCompiledProfile(path, { stateDir: config.state.dir, compileInputs: Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, String(v)])) }, async () => {
    const { readProfileFile } = await import('./load.js');
    const { compileProfileSeccomp } = await import('./compile-profile.js');
    const profile = readProfileFile(path);
    return { profile, compiledFilter: compileProfileSeccomp(profile, inputs) };
  });
}
