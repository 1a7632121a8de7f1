/**
 * The resolved-runtime file: which low-level runtime (and state dir) a config file resolves
 * to, so the native launcher can exec runc for a pass-through command without parsing TOML
 * and without asking anyone. Written by TypeScript whenever it resolved the runtime from a
 * config file (the service, and the Node path); read by launcher/openclaw-runtime.c.
 *
 * Never stale: the file records the config's identity as stat(2) saw it BEFORE it was read
 * (device, inode, size, mtime and ctime in ns), the PATH the lookup used, and the launcher it
 * skipped. The launcher uses the file only when all of these equal its own view now; any
 * edit, replacement or touch of the config (ctime always moves) makes it a miss, and a miss
 * goes to the service or Node, which write a fresh file. Trusted only when it and its
 * directory are root's and nobody else can write them (the launcher checks; it runs as root).
 *
 * Format (one key=value per line, in this order; no value may hold a newline):
 *   openclaw-resolved 1 / config= / dev= / ino= / size= / mtime_ns= / ctime_ns= / path= / self= / runtime= / state_dir=
 */
import { existsSync, mkdirSync, chmodSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, type BigIntStats } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { resolvedFile } from './paths.js';

export const RESOLVED_FORMAT_LINE = 'openclaw-resolved 1';
/** Node's (and the launcher's) PATH when none is set: shim/config/runtime-path.ts. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface ResolvedRuntime {
  configPath: string;
  /** stat of the config taken before it was read. */
  stat: BigIntStats;
  /** The PATH the lookup used (the default when unset). */
  path: string;
  /** The launcher's real path that the lookup skipped. */
  self: string;
  runtime: string;
  stateDir: string;
}

export function formatResolved(r: ResolvedRuntime): string | undefined {
  const lines = [
    RESOLVED_FORMAT_LINE,
    `config=${r.configPath}`,
    `dev=${r.stat.dev}`,
    `ino=${r.stat.ino}`,
    `size=${r.stat.size}`,
    `mtime_ns=${r.stat.mtimeNs}`,
    `ctime_ns=${r.stat.ctimeNs}`,
    `path=${r.path}`,
    `self=${r.self}`,
    `runtime=${r.runtime}`,
    `state_dir=${r.stateDir}`,
  ];
  if (lines.some((l) => l.includes('\n') || l.includes('\0'))) return undefined;
  return `${lines.join('\n')}\n`;
}

/** Best effort: a failure only means the next pass-through asks again. Absolute config paths only. */
export function writeResolved(serviceDirPath: string, r: ResolvedRuntime): void {
  if (!r.configPath.startsWith('/') || !r.runtime.startsWith('/') || !r.self.startsWith('/')) return;
  const text = formatResolved(r);
  if (text === undefined) return;
  const file = resolvedFile(serviceDirPath, r.configPath, r.self);
  try {
    for (const d of [serviceDirPath, dirname(file)]) {
      mkdirSync(d, { recursive: true, mode: 0o700 });
      chmodSync(d, 0o700);
    }
    const tmp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}`;
    const added = !existsSync(file);
    writeFileSync(tmp, text, { mode: 0o600 });
    renameSync(tmp, file);
    // Every create rewrites its record: only a new one can take the directory past the bound.
    if (added) sweepResolved(dirname(file));
  } catch {
    // not root, read-only /run: the launcher simply keeps asking
  }
}

/** Records kept before the sweep looks for dead ones: one per (config file, launcher) in use. */
export const RESOLVED_SWEEP_AT = 64;

/**
 * One record is written per config file a create or lookup used, and configs come and go (a
 * test suite's temporary ones, an operator's renamed file): once there are more than
 * RESOLVED_SWEEP_AT, the records of config files that no longer exist are removed, so the
 * directory holds what is in use, not every config ever seen. A record of a live config is
 * never removed (the launcher would only ask once more, but it need not).
 */
export function sweepResolved(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  if (names.length <= RESOLVED_SWEEP_AT) return;
  for (const name of names) {
    const path = join(dir, name);
    try {
      const config = /^config=(.*)$/m.exec(readFileSync(path, 'utf8'))?.[1];
      if (config === undefined || !exists(config)) unlinkSync(path);
    } catch {
      /* removed meanwhile, or another writer's temp file renamed away */
    }
  }
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}
