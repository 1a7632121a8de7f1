/**
 * File I/O for the installers: read an engine's config (missing = empty), keep a backup before
 * changing it, and replace it atomically with the original's mode, so a crash never leaves a
 * daemon with half a config.
 */
import { closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
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

/** temp file in the same directory, fsync, rename; mode copied from the file it replaces. */
export function writeAtomic(path: string, text: string, defaultMode = 0o644): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  let mode = defaultMode;
  try {
    mode = statSync(path).mode & 0o7777;
  } catch {
    /* new file */
  }
  const tmp = join(dir, `.${basename(path)}.openclaw-${process.pid}.tmp`);
  const fd = openSync(tmp, 'w', mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
    throw err;
  }
  const dfd = openSync(dir, 'r');
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
}
