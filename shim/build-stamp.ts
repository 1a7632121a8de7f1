/**
 * The build stamp: what identifies the code this process runs, for what must not outlive a code
 * change (the compiled-profile cache's entries, a resident service). The package version plus a
 * sha256 over the code tree: every file under dist/ (or shim/, when the sources run) except
 * source maps and build-info.json.
 *
 * `npm run build` records dist/'s hash in dist/build-info.json (scripts/gen-build-info.mjs,
 * with codeTreeHash below), so a process reads 100 bytes instead of hashing a megabyte. The tree
 * is hashed here instead, once per process, when nothing describes it: the sources run (tests),
 * no hash is recorded, or the record is older than this module (tsc rewrites every module on a
 * build, so a `tsc` without the script leaves the record behind the code).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { shimVersion } from './package.js';

const SELF = fileURLToPath(import.meta.url);
/** dist/, or shim/ when the sources run: this module sits at the top of the code tree either way. */
const CODE_DIR = dirname(SELF);
export const BUILD_INFO_FILE = 'build-info.json';

/** sha256 over every file under `dir` (relative path, size, bytes; sorted), source maps and build-info.json left out. */
export function codeTreeHash(dir: string): string {
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && !e.name.endsWith('.map') && !(d === dir && e.name === BUILD_INFO_FILE)) files.push(relative(dir, p).split(sep).join('/'));
    }
  };
  walk(dir);
  files.sort();
  const hash = createHash('sha256');
  for (const f of files) {
    const bytes = readFileSync(join(dir, f));
    hash.update(`${f}\0${bytes.length}\0`).update(bytes);
  }
  return hash.digest('hex');
}

/** The hash build-info.json records, when it describes the tree this module is in. */
function recordedHash(): string | undefined {
  if (!SELF.endsWith('.js')) return undefined; // the record is dist/'s, not the sources'
  try {
    const file = join(CODE_DIR, BUILD_INFO_FILE);
    const { code } = JSON.parse(readFileSync(file, 'utf8')) as { code?: unknown };
    if (typeof code !== 'string' || !/^[0-9a-f]{64}$/.test(code)) return undefined;
    return statSync(file).mtimeMs < statSync(SELF).mtimeMs ? undefined : code;
  } catch {
    return undefined;
  }
}

/** The stamp of the code on disk now (looked at on every call). */
export function currentBuildStamp(): string {
  return `${shimVersion()}+${recordedHash() ?? codeTreeHash(CODE_DIR)}`;
}

let loaded: string | undefined;

/** The stamp of the code this process runs: the code on disk when first asked (at start, for a resident service). */
export function buildStamp(): string {
  return (loaded ??= currentBuildStamp());
}
