/**
 * File I/O for the installers, the one edit path every engine takes (editConfigFile): read an
 * engine's config (missing = empty), apply a pure edit, and then either print what a dry run
 * would write, or keep a backup and replace the file atomically with the original's mode, so a
 * crash never leaves a daemon with half a config; an edit that changes nothing writes nothing.
 */
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { errnoOf, writeFileAtomic } from '../util/atomic-file.js';
import { OpenclawError } from '../errors.js';
import type { InstallOutput } from './output.js';

/** A pure edit's outcome (docker-config.ts, containerd-config.ts, podman.ts). */
export interface EditResult<T> {
  config: T;
  /** False when the input already said exactly this (idempotent re-run: write nothing). */
  changed: boolean;
  /** One line per thing that changed, for the user. */
  notes: string[];
}

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
function backup(path: string): string {
  const target = backupPathFor(path);
  copyFileSync(path, target);
  return target;
}

/**
 * Replaces an engine's config atomically (util/atomic-file.ts), creating its directory; a new
 * file gets `defaultMode`, an existing one keeps its mode and owner.
 */
function writeAtomic(path: string, text: string, defaultMode = 0o644): void {
  try {
    writeFileAtomic(path, text, { mode: defaultMode, mkdirParents: true });
  } catch (err) {
    throw new OpenclawError('install', `cannot write the engine config (${errnoOf(err)}); the original is unchanged`, {
      file: path,
      fix: 'run the install as root, on a writable filesystem',
    });
  }
}

export interface ConfigFileWrite<C> {
  file: string;
  /** The file's text as read (undefined: it does not exist yet). */
  text: string | undefined;
  result: EditResult<C>;
  render(config: C): string;
  dryRun: boolean;
  out: InstallOutput;
  /** Said when the edit changes nothing (nothing is said when absent). */
  unchanged?: string;
  /** Why this file, said after its name (containerd: which of its files owns the CRI table). */
  why?: string;
  /** A dry run prints `# FILE` before the content (a run that may print more than one file). */
  header?: boolean;
  /** The renderer drops comments (TOML): say the backup has them. */
  dropsComments?: boolean;
  /** Mode of a new file (an existing one keeps its own); default 0644. */
  mode?: number;
}

/**
 * Writes an edit's result (or, in a dry run, prints it) with the notes every engine gives.
 * Returns whether the file was written.
 */
export function writeConfigFile<C>(w: ConfigFileWrite<C>): boolean {
  const { file, text, result, out } = w;
  if (!result.changed) {
    if (w.unchanged !== undefined) out.say(w.unchanged);
    return false;
  }
  const rendered = w.render(result.config);
  const what = `${file}${w.why ? ` (${w.why})` : ''}: ${result.notes.join('; ')}`;
  if (w.dryRun) {
    out.print(w.header ? `# ${file}${w.mode !== undefined ? ` (mode 0${w.mode.toString(8)})` : ''}\n${rendered}` : rendered);
    out.say(`dry run, would write ${what}`);
    return false;
  }
  if (text !== undefined) out.say(`${file}: backup at ${backup(file)}`);
  if (w.dropsComments && text !== undefined && /^\s*#/m.test(text)) out.say(`${file}: note: the TOML writer does not keep comments; they are in the backup`);
  writeAtomic(file, rendered, w.mode);
  out.say(`wrote ${what}`);
  return true;
}

export interface ConfigFileEdit<C> extends Omit<ConfigFileWrite<C>, 'text' | 'result'> {
  parse(text: string | undefined, file: string): C;
  edit(config: C): EditResult<C>;
}

/** Reads `file`, applies the pure edit and writes the result (writeConfigFile). Returns whether it wrote. */
export function editConfigFile<C>(e: ConfigFileEdit<C>): boolean {
  const text = readOptional(e.file);
  return writeConfigFile({ ...e, text, result: e.edit(e.parse(text, e.file)) });
}
