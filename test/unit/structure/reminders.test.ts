/**
 * Rules that two files must agree on, checked instead of kept by "NOTE also update" comments:
 * each case fails when one side changes without the other.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { APPLIED_HASH_ANNOTATION, APPLIED_PROFILE_ANNOTATION, AUDIT_ANNOTATION } from '../../../shim/merge/annotations.js';
import { SEAL_ANNOTATION } from '../../../shim/merge/seal.js';
import { ENGINES } from '../../../shim/install/engines.js';
import { SHIM_COMMANDS } from '../../../shim/commands/index.js';

const read = (rel: string) => readFileSync(new URL(`../../../${rel}`, import.meta.url), 'utf8');

/** The text of one `## heading` section of a Markdown file. */
function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  expect(start, `section "${heading}"`).toBeGreaterThanOrEqual(0);
  const end = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, end === -1 ? undefined : end);
}

describe('rules kept in two places agree', () => {
  it('docs/profile-reference.md "What is recorded" names every annotation merge/annotations.ts writes', () => {
    const text = section(read('docs/profile-reference.md'), 'What is recorded');
    for (const a of [APPLIED_PROFILE_ANNOTATION, APPLIED_HASH_ANNOTATION, AUDIT_ANNOTATION, SEAL_ANNOTATION]) expect(text).toContain(`"${a}"`);
  });

  it('the README\'s `install ENGINE [...]` lines list each engine\'s flags as install/engines.ts does', () => {
    const readme = read('README.md');
    const lines = [...readme.matchAll(/`install ([a-z]+)((?: \[--[a-z-]+(?: [A-Z]+)?\])*)`/g)];
    expect(lines.map((m) => m[1]).sort()).toEqual(Object.keys(ENGINES).sort());
    for (const [, engine, flags] of lines) {
      expect([...flags!.matchAll(/--([a-z-]+)/g)].map((m) => m[1]), engine).toEqual([...ENGINES[engine!]!.flags.install]);
    }
  });

  it('every file or folder of the repository that README.md and docs/*.md name exists (a move updates the docs)', () => {
    const docs = ['README.md', ...readdirSync(new URL('../../../docs/', import.meta.url)).filter((n) => n.endsWith('.md')).map((n) => `docs/${n}`)];
    const missing: string[] = [];
    for (const doc of docs) {
      for (const m of read(doc).matchAll(/`((?:shim|addon|launcher|scripts|profiles|hooks)\/[A-Za-z0-9_./-]*)`/g)) {
        const path = m[1]!.replace(/[.,:;]+$/, '');
        if (!existsSync(new URL(`../../../${path}`, import.meta.url))) missing.push(`${doc}: ${path}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('the README\'s "Command line" section describes every shim-only command of commands/index.ts, and no other', () => {
    const text = section(read('README.md'), 'Command line');
    const wrapped = new Set(['create', 'run', 'exec', 'delete', 'features']); // runc's, described with runc's surface
    const shimOnly = Object.keys(SHIM_COMMANDS).filter((c) => !wrapped.has(c));
    for (const c of shimOnly) expect(text, c).toMatch(new RegExp(`\`${c}[\` ]`));
    const listed = [...text.matchAll(/^ {2}- `([a-z]+)[` ]/gm)].map((m) => m[1]);
    expect(listed.filter((c) => !Object.hasOwn(SHIM_COMMANDS, c!))).toEqual([]);
  });
});
