/**
 * Where this package lives: the executable engines must call, and the version it reports.
 * Resolved from this module's own location (dist/install/ after the build), so it is right
 * wherever the package was installed or cloned.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Absolute path of bin/openclaw-runtime (what daemon.json and BinaryName point at). */
export function shimBinaryPath(): string {
  return resolve(packageRoot, 'bin', 'openclaw-runtime');
}

let cachedCommit: string | undefined;

/** The commit the package was built from (dist/build-info.json, written by `npm run build`), or "unknown". */
export function shimCommit(): string {
  if (cachedCommit === undefined) {
    try {
      const info = JSON.parse(readFileSync(resolve(packageRoot, 'dist', 'build-info.json'), 'utf8')) as { commit?: unknown };
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
      const pkg = JSON.parse(readFileSync(resolve(packageRoot, 'package.json'), 'utf8')) as { version?: unknown };
      cachedVersion = typeof pkg.version === 'string' ? pkg.version : 'unknown';
    } catch {
      cachedVersion = 'unknown';
    }
  }
  return cachedVersion;
}
