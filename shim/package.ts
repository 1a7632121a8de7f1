/**
 * Where this package lives, computed once: the files the shim hands to others (the binary engines
 * call, the poststop hook, the daemons' Node entries), the files it loads (profiles, the addon),
 * and the version it reports. Everything else asks here instead of counting `..` from its own
 * location, so moving a module cannot silently break a path. This module sits at shim/package.ts
 * and dist/package.js, one level below the package root either way.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root (the clone, or node_modules/openclaw-runtime), as this module was reached. */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The package root with symlinks resolved (what the launcher computes from /proc/self/exe). */
export function packageRootReal(): string {
  try {
    return realpathSync(PACKAGE_ROOT);
  } catch {
    return PACKAGE_ROOT;
  }
}

/** profiles/: the shipped profiles. */
export const PROFILES_DIR = resolve(PACKAGE_ROOT, 'profiles');
/** hooks/openclaw-poststop: the hook that undoes host actions when runc deletes a container. */
export const CLEANUP_HOOK_PATH = resolve(PACKAGE_ROOT, 'hooks', 'openclaw-poststop');
/** The seccomp agent's native addon, built by scripts/build-addon.sh. */
export const ADDON_PATH = resolve(PACKAGE_ROOT, 'addon', 'build', 'Release', 'openclaw_agent.node');
/** Node entry of the seccomp agent (the built one, also when tests run the .ts sources). */
export const AGENT_ENTRY = resolve(PACKAGE_ROOT, 'dist', 'agent-main.js');
/** Node entry of the resident service (the built one, also when tests run the .ts sources). */
export const SERVICE_ENTRY = resolve(PACKAGE_ROOT, 'dist', 'service-main.js');

/** Absolute path of bin/openclaw-runtime (what daemon.json and BinaryName point at). */
export function shimBinaryPath(): string {
  return resolve(PACKAGE_ROOT, 'bin', 'openclaw-runtime');
}

let cachedCommit: string | undefined;

/** The commit the package was built from (dist/build-info.json, written by `npm run build`), or "unknown". */
export function shimCommit(): string {
  if (cachedCommit === undefined) {
    try {
      const info = JSON.parse(readFileSync(resolve(PACKAGE_ROOT, 'dist', 'build-info.json'), 'utf8')) as { commit?: unknown };
      cachedCommit = typeof info.commit === 'string' && info.commit !== '' ? info.commit : 'unknown';
    } catch {
      cachedCommit = 'unknown';
    }
  }
  return cachedCommit;
}

let cachedVersion: string | undefined;

/** package.json's version. */
export function shimVersion(): string {
  if (cachedVersion === undefined) {
    try {
      const pkg = JSON.parse(readFileSync(resolve(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version?: unknown };
      cachedVersion = typeof pkg.version === 'string' ? pkg.version : 'unknown';
    } catch {
      cachedVersion = 'unknown';
    }
  }
  return cachedVersion;
}
