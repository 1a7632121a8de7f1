#!/usr/bin/env node
// Writes dist/build-info.json after tsc: {"commit", "code"}.
//  - commit: what `openclaw-runtime --version` reports (shim/package.ts shimCommit): `git rev-parse
//    --short HEAD` of the package when it is a git checkout, else what an earlier build recorded,
//    else "unknown".
//  - code: the sha256 of dist/'s code (shim/build-stamp.ts codeTreeHash, the function that checks
//    it), which keys the compiled-profile cache and tells a resident service its code changed.
// Always rewritten: the file must be newer than the modules tsc just wrote (build-stamp.ts).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const { BUILD_INFO_FILE, codeTreeHash } = await import(pathToFileURL(join(dist, 'build-stamp.js')).href);
const out = join(dist, BUILD_INFO_FILE);
let commit = 'unknown';
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || 'unknown';
} catch {
  // not a git checkout, or no git: keep the commit an earlier build recorded
  try {
    const earlier = JSON.parse(readFileSync(out, 'utf8')).commit;
    if (typeof earlier === 'string' && earlier !== '') commit = earlier;
  } catch {
    /* none */
  }
}
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({ commit, code: codeTreeHash(dist) })}\n`);
