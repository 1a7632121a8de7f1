/**
 * Reads a SandboxProfile file: YAML -> zod -> Profile, with every error naming the file, the
 * field path and (where the YAML knows it) the line. The profile's content hash covers the
 * file's bytes and any JSON seccomp profile it imports, so the hash recorded in config.json
 * changes whenever what was applied changes.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument, LineCounter, isNode } from 'yaml';
import { OpenclawError, schemaRefusal } from '../errors.js';
import { ProfileSchema, type Profile } from './schema.js';
import type { SpecSeccomp } from '../oci/types.js';
import { importSeccompJson } from '../seccomp/import.js';

export interface LoadedProfile {
  profile: Profile;
  /** Absolute path of the file it came from (or a label for built-in profiles). */
  path: string;
  /** sha256 over the profile file and the files it imports. */
  sha256: string;
  /** The parsed Docker/libseccomp JSON named by syscallFilter.import, if any. */
  importedSeccomp?: SpecSeccomp;
  importedSeccompPath?: string;
}

/** Profiles larger than this are refused before parsing (a runtime must not be stalled by input). */
export const MAX_PROFILE_BYTES = 1024 * 1024;

export function readProfileFile(path: string): LoadedProfile {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new OpenclawError('profile', `cannot read the profile (${code})`, {
      file: path,
      fix: code === 'ENOENT' ? 'check the profile name or path (see `openclaw-runtime validate`)' : 'make the profile readable by root',
    });
  }
  return parseProfileText(bytes, path);
}

export function parseProfileText(bytes: Buffer, path: string): LoadedProfile {
  if (bytes.length > MAX_PROFILE_BYTES) {
    throw new OpenclawError('profile', `profile is ${bytes.length} bytes, more than the ${MAX_PROFILE_BYTES} allowed`, {
      file: path,
      fix: 'split the syscall list or remove what the workload does not need',
    });
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(bytes.toString('utf8'), { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = e.linePos?.[0] ?? lineCounter.linePos(e.pos[0]);
    throw new OpenclawError('profile', `invalid YAML${pos ? ` at line ${pos.line}, column ${pos.col}` : ''}: ${e.message.split('\n')[0]}`, {
      file: path,
      fix: 'correct the YAML syntax (indentation, quoting, duplicate keys)',
    });
  }
  const raw = doc.toJS({ maxAliasCount: 100 });
  const result = ProfileSchema.safeParse(raw);
  if (!result.success) {
    const refusal = schemaRefusal(result.error.issues[0]!, raw, { missing: 'is required' });
    const node = doc.getIn(refusal.path as Array<string | number>, true);
    const line = isNode(node) && node.range ? lineCounter.linePos(node.range[0]).line : undefined;
    throw new OpenclawError('profile', `${refusal.problem}${line !== undefined ? ` (line ${line})` : ''}`, {
      file: path,
      field: refusal.field,
      fix: refusal.unknownKey
        ? 'remove the key or correct its spelling (see docs/profile-reference.md)'
        : 'correct the value (see docs/profile-reference.md)',
    });
  }
  const profile = result.data;
  const hash = createHash('sha256').update(bytes);
  let importedSeccomp: SpecSeccomp | undefined;
  let importedSeccompPath: string | undefined;
  const importRef = profile.spec.isolation.syscallFilter?.import;
  if (importRef !== undefined) {
    importedSeccompPath = resolve(dirname(path), importRef);
    let jsonBytes: Buffer;
    try {
      jsonBytes = readFileSync(importedSeccompPath);
    } catch (err) {
      throw new OpenclawError('profile', `cannot read the imported seccomp profile ${importedSeccompPath} (${(err as NodeJS.ErrnoException).code ?? err})`, {
        file: path,
        field: 'spec.isolation.syscallFilter.import',
        fix: 'give a path relative to the profile file, to a readable JSON seccomp profile',
      });
    }
    hash.update(jsonBytes);
    importedSeccomp = importSeccompJson(jsonBytes.toString('utf8'), importedSeccompPath);
  }
  return { profile, path, sha256: hash.digest('hex'), importedSeccomp, importedSeccompPath };
}
