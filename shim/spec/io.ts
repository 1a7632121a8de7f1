/**
 * Reading config.json and replacing it atomically: the new content goes to a temporary
 * file in the same directory, is fsynced, renamed over the original, and the directory is
 * fsynced. A crash at any point leaves either the old file or the new one, never a mix;
 * a failed write (ENOSPC, EROFS, ...) removes the temporary file and leaves the original.
 * A temporary file whose writer was killed before its rename is removed by the next write.
 */
import { closeSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync, fchownSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { OpenclawError } from '../errors.js';
import { parseJsonLossless, stringifyJsonLossless } from './json.js';
import type { Spec } from './types.js';

export interface LoadedSpec {
  spec: Spec;
  path: string;
  bytes: Buffer;
}

/** config.json beyond this size is refused (runc's own specs are a few KiB). */
export const MAX_SPEC_BYTES = 16 * 1024 * 1024;

export function readSpec(bundle: string): LoadedSpec {
  const path = join(bundle, 'config.json');
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new OpenclawError('spec', `cannot read the bundle's config.json (${code})`, {
      file: path,
      fix: code === 'ENOENT' ? 'pass the bundle directory that holds config.json with --bundle (runc spec creates one)' : 'check the bundle path and permissions',
    });
  }
  if (bytes.length > MAX_SPEC_BYTES) {
    throw new OpenclawError('spec', `config.json is ${bytes.length} bytes, more than ${MAX_SPEC_BYTES}`, { file: path, fix: 'check what generated this bundle' });
  }
  let spec: unknown;
  try {
    spec = parseJsonLossless(bytes.toString('utf8'));
  } catch (err) {
    throw new OpenclawError('spec', `is not valid JSON: ${(err as Error).message}`, { file: path, fix: 'regenerate the bundle (runc spec) or correct the JSON' });
  }
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new OpenclawError('spec', 'must hold a JSON object', { file: path, fix: 'regenerate the bundle (runc spec)' });
  }
  return { spec: spec as Spec, path, bytes };
}

export function serializeSpec(spec: Spec): string {
  return stringifyJsonLossless(spec, 2) + '\n';
}

/** Temporary files of writers that died before their rename (SIGKILL, power loss). */
function removeOrphanedTemps(dir: string, base: string): void {
  const pattern = new RegExp(`^\\.${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.openclaw-(\\d+)-[0-9a-f]{8}$`);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = pattern.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || isAlive(pid)) continue;
    try {
      unlinkSync(join(dir, name));
    } catch {
      /* another writer removed it */
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function writeFileAtomic(path: string, content: string): void {
  const dir = dirname(path);
  removeOrphanedTemps(dir, path.split('/').pop() ?? '');
  const tmp = join(dir, `.${path.split('/').pop()}.openclaw-${process.pid}-${randomBytes(4).toString('hex')}`);
  let mode = 0o644;
  let owner: { uid: number; gid: number } | undefined;
  try {
    const st = statSync(path);
    mode = st.mode & 0o7777;
    owner = { uid: st.uid, gid: st.gid };
  } catch {
    /* new file */
  }
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', mode);
    if (owner) fchownSync(fd, owner.uid, owner.gid);
    const data = Buffer.from(content);
    let off = 0;
    while (off < data.length) off += writeSync(fd, data, off, data.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        /* already failing */
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      /* never created */
    }
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new OpenclawError('spec', `cannot write the merged file (${code}); the original is unchanged`, {
      file: path,
      fix: code === 'ENOSPC' ? 'free space on the filesystem that holds the bundle' : 'check that the bundle directory is writable by root',
    });
  }
  try {
    const dfd = openSync(dir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    /* the rename is done; a directory fsync failure only weakens durability across power loss */
  }
}
