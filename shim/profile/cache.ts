/**
 * The compiled-profile cache. A create whose profile (and the JSON it imports) is byte for byte
 * one the shim has compiled before skips YAML parsing, schema validation and seccomp
 * compilation, and does not load the modules for them either: the caller passes the work as a
 * `build` callback that imports them, and it runs on a miss only.
 *
 * Entry: <state.dir>/cache/<key> (directory 0700), key = sha256 over
 *   - the entry format, the code that produces entries (the build stamp, build-stamp.ts: the
 *     package version and a hash of the whole code tree) and V8's version (entries are
 *     V8-serialised);
 *   - the profile's path and the sha256 of its bytes;
 *   - the config values the compile reads (`compileInputs`: compile-inputs.ts, the one object
 *     the compile is given).
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
 *
 * Bounded: a store that leaves more than MAX_ENTRIES entries, or more than MAX_CACHE_BYTES,
 * removes the least recently used (a hit stamps its entry's mtime) until it does not. Entries
 * of old code are never hit again and age out this way.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, futimesSync, openSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { writeFileAtomic } from '../util/atomic-file.js';
import { isRecord } from '../util/json.js';
import { ensureDir, inspectPath } from '../host/safe-path.js';
import { buildStamp } from '../build-stamp.js';
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
  /** Every config value the build reads besides the profile's own files (compile-inputs.ts). */
  compileInputs: Readonly<Record<string, string>>;
}

/** Bump when the entry's shape changes. */
const FORMAT = 'openclaw-profile-cache/3';

/** Entries larger than this are not read (a profile is at most 1 MiB; its compiled form is smaller). */
const MAX_ENTRY_BYTES = 8 * 1024 * 1024;
/** The most entries kept: a host uses a handful of profiles (times the builds it went through). */
export const MAX_ENTRIES = 64;
/** The most bytes the entries may take together (one is ~0.1-1 MiB). */
export const MAX_CACHE_BYTES = 64 * 1024 * 1024;
const ENTRY_NAME = /^[0-9a-f]{64}$/;

// ---------------------------------------------------------------------------------------------
// Pure parts: the key and the entry's encoding.

export interface KeyParts {
  code: string;
  path: string;
  fileSha256: string;
  compileInputs: Readonly<Record<string, string>>;
}

export function cacheKey(parts: KeyParts): string {
  const inputs = Object.entries(parts.compileInputs).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256')
    .update(JSON.stringify([FORMAT, parts.code, parts.path, parts.fileSha256, inputs]))
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


// ---------------------------------------------------------------------------------------------
// I/O

/** The code that produces entries: the build stamp, and V8's version and the CPU (entries are V8-serialised). */
export function codeIdentity(): string {
  return [buildStamp(), process.versions.v8, process.arch].join('\n');
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
      const value = decodeEntry(readFileSync(fd, 'latin1'), key);
      if (value) touch(fd);
      return value;
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

/** Marks an entry used now (eviction goes by mtime). */
function touch(fd: number): void {
  try {
    const now = new Date();
    futimesSync(fd, now, now);
  } catch {
    /* only costs the entry its place in the eviction order */
  }
}

/**
 * Removes the least recently used entries (oldest mtime first; never `keep`, the one just
 * stored) while there are more than MAX_ENTRIES or they take more than MAX_CACHE_BYTES.
 * Other names (a concurrent writer's temp file) are left alone.
 */
export function evictEntries(dir: string, keep: string): void {
  const entries: Array<{ name: string; size: number; mtimeMs: number }> = [];
  for (const name of readdirSync(dir)) {
    if (!ENTRY_NAME.test(name)) continue;
    try {
      const st = statSync(join(dir, name));
      entries.push({ name, size: st.size, mtimeMs: st.mtimeMs });
    } catch {
      /* removed meanwhile */
    }
  }
  let count = entries.length;
  let bytes = entries.reduce((n, e) => n + e.size, 0);
  entries.sort((a, b) => a.mtimeMs - b.mtimeMs || (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    if (count <= MAX_ENTRIES && bytes <= MAX_CACHE_BYTES) break;
    if (e.name === keep) continue;
    rmSync(join(dir, e.name), { force: true, recursive: true });
    count--;
    bytes -= e.size;
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
    evictEntries(dir, key);
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
