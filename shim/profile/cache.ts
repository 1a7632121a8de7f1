/**
 * The compiled-profile cache. A create whose profile (and the JSON it imports) is byte for byte
 * one the shim has compiled before skips YAML parsing, schema validation and seccomp
 * compilation, and does not load the modules for them either: the caller passes the work as a
 * `build` callback that imports them, and it runs on a miss only.
 *
 * Entry: <state.dir>/cache/<key> (directory 0700), key = sha256 over
 *   - the entry format and the code that produces entries (CODE_FILES: size and mtime; a build
 *     rewrites them) and V8's version (entries are V8-serialised);
 *   - the profile's path and the sha256 of its bytes;
 *   - the config values the compile reads (`compileInputs`, e.g. the agent socket).
 * Value: the LoadedProfile and its compiled filter (linux.seccomp and its decoded model), V8-serialised (structured clone):
 * bigint vs number, `undefined` members and key order survive exactly. (Lossless JSON would
 * not do: it reads every small integer back as a number, and the profile's quantities and
 * seccomp values are bigint whatever their size.)
 *
 * Every lookup still reads and hashes the profile and any JSON it imports; the entry's sha256
 * (over both, as profile/load.ts computes it) must match, so a changed file is a miss, never a
 * stale hit. An entry that is missing, unreadable, not root's own (owner, mode), corrupt or of
 * another shape is a miss; a failed store is ignored. The cache only ever saves time.
 * Concurrent creates may store the same entry at once: each write is atomic (temp + rename)
 * and they write the same content, so readers see one whole entry or none.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import { writeFileAtomic } from '../util/atomic-file.js';
import { ensureDir, inspectPath } from '../host/safe-path.js';
import type { CompiledFilter } from '../seccomp/oci-codec.js';
import type { LoadedProfile } from './load.js';

export interface CompiledProfile {
  profile: LoadedProfile;
  /** The profile's syscallFilter compiled, in both forms (undefined: the profile has none). */
  compiledFilter: CompiledFilter | undefined;
}

export interface ProfileCacheOptions {
  /** config.state.dir; entries go to <stateDir>/cache. */
  stateDir: string;
  /** Every config value the build reads besides the profile's own files. */
  compileInputs: readonly string[];
}

/** Bump when the entry's shape changes. */
const FORMAT = 'openclaw-profile-cache/3';

/**
 * The modules whose code decides what an entry holds, relative to this one. A build rewrites
 * them all, so their size and mtime identify the code; the module itself is always included
 * (in a bundle it is the whole code).
 * NOTE when the profile load or compile path imports a new module of ours, add it here.
 */
const CODE_FILES = [
  './load',
  './schema',
  './load-for-config',
  './compile-profile',
  '../pipeline',
  '../agent/metadata',
  '../util/json',
  '../seccomp/import',
  '../seccomp/compile',
  '../seccomp/rules',
  '../seccomp/model',
  '../seccomp/algebra',
  '../seccomp/runc-init',
  '../seccomp/syscall-table',
  '../seccomp/vocabulary',
];

/** Entries larger than this are not read (a profile is at most 1 MiB; its compiled form is smaller). */
const MAX_ENTRY_BYTES = 8 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Pure parts: the key and the entry's encoding.

export interface KeyParts {
  code: string;
  path: string;
  fileSha256: string;
  compileInputs: readonly string[];
}

export function cacheKey(parts: KeyParts): string {
  return createHash('sha256')
    .update(JSON.stringify([FORMAT, parts.code, parts.path, parts.fileSha256, parts.compileInputs]))
    .digest('hex');
}

interface Entry {
  format: string;
  key: string;
  value: CompiledProfile;
}

export function encodeEntry(key: string, value: CompiledProfile): string {
  // writeFileAtomic takes text; base64 keeps the binary serialisation intact.
  return serialize({ format: FORMAT, key, value } satisfies Entry).toString('base64');
}

/** The entry's value if it is a well-formed entry for `key`; undefined otherwise (never throws). */
export function decodeEntry(text: string, key: string): CompiledProfile | undefined {
  let entry: unknown;
  try {
    entry = deserialize(Buffer.from(text, 'base64'));
  } catch {
    return undefined;
  }
  if (!isRecord(entry) || entry.format !== FORMAT || entry.key !== key || !isRecord(entry.value)) return undefined;
  const { profile, compiledFilter } = entry.value;
  if (!isRecord(profile) || !isRecord(profile.profile) || typeof profile.path !== 'string' || typeof profile.sha256 !== 'string') return undefined;
  if (profile.importedSeccompPath !== undefined && typeof profile.importedSeccompPath !== 'string') return undefined;
  if (compiledFilter !== undefined && !(isRecord(compiledFilter) && isRecord(compiledFilter.spec) && isRecord(compiledFilter.model) && compiledFilter.model.syscalls instanceof Map)) return undefined;
  return entry.value as unknown as CompiledProfile;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------------------------------------
// I/O

let codeFingerprint: string | undefined;

/** Size and mtime of this module and of CODE_FILES (same extension as this module). */
export function codeIdentity(): string {
  if (codeFingerprint !== undefined) return codeFingerprint;
  const self = import.meta.url;
  const ext = /\.[cm]?[jt]s$/.exec(self)?.[0] ?? '.js';
  const parts: string[] = [process.versions.v8, process.arch];
  for (const url of [self, ...CODE_FILES.map((f) => new URL(f + ext, self).href)]) {
    try {
      const st = statSync(fileURLToPath(url));
      parts.push(`${url}:${st.size}:${st.mtimeMs}`);
    } catch {
      parts.push(`${url}:-`);
    }
  }
  return (codeFingerprint = parts.join('\n'));
}

export function cacheDir(stateDir: string): string {
  return join(stateDir, 'cache');
}

/** Only what root itself wrote counts: the directory and the file are ours and not writable by others. */
function trusted(st: { uid: number; mode: number }): boolean {
  return st.uid === (process.geteuid?.() ?? st.uid) && (st.mode & 0o022) === 0;
}

function readEntry(dir: string, key: string): CompiledProfile | undefined {
  try {
    // Reached without symlinks through directories only root may change (host/safe-path.ts).
    const info = inspectPath(dir);
    if (info.unsafe || !info.stat?.isDirectory() || !trusted(info.stat)) return undefined;
    const fd = openSync(join(dir, key), constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const st = fstatSync(fd);
      if (!st.isFile() || !trusted(st) || st.size > MAX_ENTRY_BYTES) return undefined;
      return decodeEntry(readFileSync(fd, 'latin1'), key);
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

function storeEntry(stateDir: string, key: string, value: CompiledProfile): void {
  try {
    const text = encodeEntry(key, value);
    // The state dir the way host/actions.ts makes it (traversable), the cache root-only; both
    // refused (a miss) when reached through a symlink or a directory another user may write.
    ensureDir(stateDir, { mode: 0o711, parentMode: 0o711 });
    const dir = cacheDir(stateDir);
    const made = ensureDir(dir, { mode: 0o700, parentMode: 0o711 });
    if (!trusted(made.stat)) return; // not ours to chmod: readEntry ignores it anyway
    // writeFileAtomic keeps an existing file's mode: a replaced entry gets a fresh one.
    rmSync(join(dir, key), { force: true, recursive: true });
    writeFileAtomic(join(dir, key), text);
  } catch {
    /* a read-only or full state dir only costs the next create the compile */
  }
}

/**
 * The profile at `path`, validated and compiled: from the cache when its bytes (and its
 * import's) were compiled before with the same code and inputs, else from `build`, whose
 * result is then stored.
 */
export async function loadCompiledProfile(
  path: string,
  opts: ProfileCacheOptions,
  build: () => Promise<CompiledProfile>,
): Promise<CompiledProfile> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    return build(); // reports the unreadable file the way the loader does
  }
  const hash = createHash('sha256').update(bytes);
  const key = cacheKey({ code: codeIdentity(), path, fileSha256: hash.copy().digest('hex'), compileInputs: opts.compileInputs });
  const hit = readEntry(cacheDir(opts.stateDir), key);
  if (hit && sameContent(hit.profile, hash)) return hit;
  const built = await build();
  storeEntry(opts.stateDir, key, built);
  return built;
}

/** Does the profile's recorded sha256 (file + imported JSON) still match what is on disk? */
function sameContent(profile: LoadedProfile, fileHash: ReturnType<typeof createHash>): boolean {
  if (profile.importedSeccompPath !== undefined) {
    try {
      fileHash.update(readFileSync(profile.importedSeccompPath));
    } catch {
      return false;
    }
  }
  return fileHash.digest('hex') === profile.sha256;
}
