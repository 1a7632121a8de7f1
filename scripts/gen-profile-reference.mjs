#!/usr/bin/env node
// Regenerates the field tables of docs/profile-reference.md (between the GENERATED markers)
// from the zod schema and shim/profile/reference.ts, as built in dist/ (run `npm run build`
// first). `--check`: change nothing, exit 1 when the document is stale (what a test asserts).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { withGeneratedReference } = await import(join(root, 'dist', 'profile', 'reference.js'));
const file = join(root, 'docs', 'profile-reference.md');
const doc = readFileSync(file, 'utf8');
const next = withGeneratedReference(doc);
if (process.argv.includes('--check')) {
  if (next !== doc) {
    process.stderr.write('docs/profile-reference.md is stale: run `npm run build && node scripts/gen-profile-reference.mjs`\n');
    process.exit(1);
  }
  process.stdout.write('docs/profile-reference.md is up to date\n');
} else if (next !== doc) {
  writeFileSync(file, next);
  process.stdout.write('docs/profile-reference.md: field tables regenerated\n');
}
