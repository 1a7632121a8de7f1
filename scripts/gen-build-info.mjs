#!/usr/bin/env node
// Writes dist/build-info.json ({"commit": ...}) after tsc: the commit `openclaw-runtime --version`
// reports (shim/package.ts shimCommit). `git rev-parse --short HEAD` of the package
// when it is a git checkout, else "unknown" (an unpacked tarball keeps the file it was built with).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'build-info.json');
let commit = 'unknown';
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || 'unknown';
} catch {
  // not a git checkout, or no git: keep what an earlier build wrote
  if (existsSync(out)) process.exit(0);
}
const text = `${JSON.stringify({ commit })}\n`;
mkdirSync(dirname(out), { recursive: true });
if (!existsSync(out) || readFileSync(out, 'utf8') !== text) writeFileSync(out, text);
