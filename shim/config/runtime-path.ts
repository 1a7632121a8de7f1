/**
 * Finds the low-level runtime binary (runc, else crun) from the config's candidates.
 * Absolute paths are taken as they are; names are looked up on PATH, skipping this shim
 * itself (an operator may install the shim as "runc" earlier on PATH).
 */
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { basename, delimiter, join } from 'node:path';
import { OpenclawError } from '../errors.js';
import { loadConfig, type LoadedConfig } from './load.js';

/** The low-level runtimes whose post-filter calls are known (shim/seccomp/runc-init.ts has a probe list per name). */
export const LOW_LEVEL_RUNTIMES = ['runc', 'crun'] as const;
export type LowLevelRuntime = (typeof LOW_LEVEL_RUNTIMES)[number];

function isExecutableFile(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function selfPaths(): Set<string> {
  const out = new Set<string>();
  for (const p of [process.argv[1]]) {
    if (!p) continue;
    try {
      out.add(realpathSync(p));
    } catch {
      /* ignore */
    }
  }
  return out;
}

export function findRuntime(candidates: readonly string[], env: NodeJS.ProcessEnv): string {
  const self = selfPaths();
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
export function runtimeFromConfig(loaded: LoadedConfig, env: NodeJS.ProcessEnv): string {
  try {
    return findRuntime(loaded.config.runtime.candidates, env);
  } catch (err) {
    throw err instanceof OpenclawError && loaded.path ? err.inFile(loaded.path) : err;
  }
}

export async function resolveLowLevelRuntime(configFlag: string | undefined, env: NodeJS.ProcessEnv): Promise<string> {
  return runtimeFromConfig(await loadConfig(configFlag, env), env);
}

/**
 * Which known low-level runtime a resolved binary is (runc-init.ts), by the name of the file it
 * resolves to; undefined for a wrapper or anything else (the caller then assumes any of them).
 */
export function lowLevelRuntimeKind(binary: string): LowLevelRuntime | undefined {
  let real: string;
  try {
    real = realpathSync(binary);
  } catch {
    return undefined;
  }
  return (LOW_LEVEL_RUNTIMES as readonly string[]).find((k) => basename(real) === k) as LowLevelRuntime | undefined;
}

/** The runtimes a compiled filter must start under for this config: the one it resolves to, or all known ones when that is unclear. */
export function initRuntimesFor(candidates: readonly string[], env: NodeJS.ProcessEnv): LowLevelRuntime[] {
  let kind: LowLevelRuntime | undefined;
  try {
    kind = lowLevelRuntimeKind(findRuntime(candidates, env));
  } catch {
    kind = undefined; // create reports the missing runtime itself, with the config file's name
  }
  return kind ? [kind] : [...LOW_LEVEL_RUNTIMES];
}
