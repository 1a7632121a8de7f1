/**
 * File I/O for the installers: read an engine's config (missing = empty), keep a backup before
 * changing it, and replace it atomically with the original's mode, so a crash never leaves a
 * daemon with half a config.
 */
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { errnoOf, writeFileAtomic } from '../util/atomic-file.js';
import { OpenclawError } from '../errors.js';

/** The file's text, or undefined when it does not exist. */
export function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new OpenclawError('install', `cannot read the file (${code ?? String(err)})`, { file: path, fix: 'run the install as root, or pass --config with a readable file' });
  }
}

/** `PATH.openclaw-backup-20250101T120000Z` (a counter is added if that name exists). */
export function backupPathFor(path: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  let candidate = `${path}.openclaw-backup-${stamp}`;
  for (let n = 1; existsSync(candidate); n++) candidate = `${path}.openclaw-backup-${stamp}-${n}`;
  return candidate;
}

/** Copies the file aside (keeping mode); returns the backup's path. */
export function backup(path: string): string {
  const target = backupPathFor(path);
  copyFileSync(path, target);
  return target;
}

/**
 * Replaces an engine's config atomically (util/atomic-file.ts), creating its directory; a new
 * file gets `defaultMode`, an existing one keeps its mode and owner.
 */
export function writeAtomic(path: string, text: string, defaultMode = 0o644): void {
  try {
    writeFileAtomic(path, text, { mode: defaultMode, mkdirParents: true });
  } catch (err) {
    throw new OpenclawError('install', `cannot write the engine config (${errnoOf(err)}); the original is unchanged`, {
      file: path,
      fix: 'run the install as root, on a writable filesystem',
    });
  }
}
