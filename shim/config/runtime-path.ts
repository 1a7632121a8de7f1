/**
 * Finds the low-level runtime binary (runc, else crun) from the config's candidates.
 * Absolute paths are taken as they are; names are looked up on PATH, skipping this shim
 * itself (an operator may install the shim as "runc" earlier on PATH).
 */
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { OpenclawError } from '../errors.js';
import { loadConfig, type LoadedConfig } from './load.js';

function isExecutableFile(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** This shim's own launcher: process.argv[1] (the launcher passes itself there), or the launcher a service request names. */
function selfPaths(self?: string): Set<string> {
  const out = new Set<string>();
  for (const p of [self ?? process.argv[1]]) {
    if (!p) continue;
    try {
      out.add(realpathSync(p));
    } catch {
      /* ignore */
    }
  }
  return out;
}

export function findRuntime(candidates: readonly string[], env: NodeJS.ProcessEnv, selfPath?: string): string {
  const self = selfPaths(selfPath);
  const dirs = (env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin').split(delimiter).filter(Boolean);
  for (const c of candidates) {
    const paths = c.includes('/') ? [c] : dirs.map((d) => join(d, c));
    for (const p of paths) {
      if (!isExecutableFile(p)) continue;
      try {
        if (self.has(realpathSync(p))) continue;
      } catch {
        continue;
      }
      return p;
    }
  }
  throw new OpenclawError('runtime', `no low-level OCI runtime found (looked for ${candidates.join(', ')})`, {
    field: 'runtime.candidates',
    fix: 'install runc (apt-get install runc) or set runtime.candidates in the openclaw config to its absolute path',
  });
}

/** The runtime a loaded config names; a failure names the config file it came from. */
export function runtimeFromConfig(loaded: LoadedConfig, env: NodeJS.ProcessEnv, selfPath?: string): string {
  try {
    return findRuntime(loaded.config.runtime.candidates, env, selfPath);
  } catch (err) {
    throw err instanceof OpenclawError && loaded.path ? err.inFile(loaded.path) : err;
  }
}

export async function resolveLowLevelRuntime(configFlag: string | undefined, env: NodeJS.ProcessEnv): Promise<string> {
  return runtimeFromConfig(await loadConfig(configFlag, env), env);
}
