/**
 * Config -> low-level runtime, recording the answer for the native launcher (resolved.ts).
 * One function for the service and the Node path, so both write the same record.
 */
import { statSync, type BigIntStats } from 'node:fs';
import { configPathFor, loadConfig, type LoadedConfig } from '../config/load.js';
import { runtimeFromConfig } from '../config/runtime-path.js';
import { DEFAULT_PATH, writeResolved } from './resolved.js';

function statBig(path: string): BigIntStats | undefined {
  try {
    return statSync(path, { bigint: true });
  } catch {
    return undefined;
  }
}

export async function resolveRuntimeRecorded(
  serviceDirPath: string,
  configFlag: string | undefined,
  env: NodeJS.ProcessEnv,
  self: string | undefined,
): Promise<{ loaded: LoadedConfig; runtime: string }> {
  const { path } = configPathFor(configFlag, env);
  const before = statBig(path); // before reading: an edit after this makes the record a miss, never stale
  const loaded = await loadConfig(configFlag, env);
  const runtime = runtimeFromConfig(loaded, env, self);
  if (loaded.path && before && self) {
    writeResolved(serviceDirPath, { configPath: loaded.path, stat: before, path: env.PATH ?? DEFAULT_PATH, self, runtime, stateDir: loaded.config.state.dir });
  }
  return { loaded, runtime };
}
