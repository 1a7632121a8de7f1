/**
 * The bundle's config.json: read it (size cap, lossless JSON, errors that name the file and the
 * fix), serialise it, and replace it atomically. A crash at any point leaves either the old file
 * or the new one, never a mix; a failed write (ENOSPC, EROFS, ...) leaves the original.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errnoOf, writeFileAtomic } from '../util/atomic-file.js';
import { OpenclawError } from '../errors.js';
import { parseJsonLossless, stringifyJsonLossless } from '../util/json.js';
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

/** Replaces the bundle's config.json with the merged one, atomically (util/atomic-file.ts). */
export function writeSpecAtomic(path: string, content: string, opts: { durable?: boolean } = {}): void {
  try {
    writeFileAtomic(path, content, opts);
  } catch (err) {
    const code = errnoOf(err);
    throw new OpenclawError('spec', `cannot write the merged file (${code}); the original is unchanged`, {
      file: path,
      fix: code === 'ENOSPC' ? 'free space on the filesystem that holds the bundle' : 'check that the bundle directory is writable by root',
    });
  }
}

/** containerd bundle `<state>/io.containerd.runtime.v2.task/<ns>/<id>` -> `<state>`. */
export function containerdStateOfBundle(bundle: string): string | undefined {
  const m = /^(\/.*)\/io\.containerd\.runtime\.v2\.task\/[^/]+\/[^/]+\/?$/.exec(bundle);
  return m?.[1];
}
