/**
 * docs/profile-reference.md against the code it describes: the syscallFilter section names every word and
 * architecture the schema accepts and every blacklist name with a meaning, and the
 * readOnlyOpens table says what the compiled filter does. Fails when the code gains something
 * the reference does not say, or the reference claims an answer the compiler does not give.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BLACKLIST_MEANINGS, compileSyscallFilter } from '../../../shim/seccomp/compile.js';
import { ARCHES, CHMOD_MODE_ARG, ERRNO, PATH_MUTATING_CALLS, PROFILE_ACTION_WORDS, UNSEEN_IO_CALLS } from '../../../shim/seccomp/vocabulary.js';
import { verdictWithAgent } from '../../../shim/agent/verdict.js';
import { AGENT } from '../seccomp/helpers.js';

const DOC = readFileSync(new URL('../../../docs/profile-reference.md', import.meta.url), 'utf8');

/** The text of the `##` or `###` heading up to the next heading. */
function section(heading: string): string {
  const m = new RegExp(`\\n#{2,3} ${heading.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n`).exec(DOC);
  if (!m) throw new Error(`docs/profile-reference.md has no "## ${heading}" or "### ${heading}"`);
  const end = DOC.indexOf('\n#', m.index + 1);
  return DOC.slice(m.index, end < 0 ? undefined : end);
}

/** The row of a generated field table whose field is `spec.isolation.syscallFilter.KEY`. */
const fieldRow = (text: string, key: string): string => rows(text).find(([k]) => k === `\`spec.isolation.syscallFilter.${key}\``)![1];

/** The table rows of a section: [first cell, whole row]. */
function rows(text: string): Array<[string, string]> {
  return text
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| ---'))
    .slice(1)
    .map((l) => [l.split(' | ')[0]!.slice(2), l]);
}

// Every field's row (and none without a field) is test/unit/profile/reference.test.ts's check.

describe('docs/profile-reference.md: spec.isolation.syscallFilter', () => {
  const text = section('spec.isolation.syscallFilter');
  it('names every action word a profile may use', () => {
    for (const w of PROFILE_ACTION_WORDS) expect(text).toContain(`\`${w}\``);
  });
  it('names every architecture', () => {
    for (const a of ARCHES) expect(text).toContain(`\`${a.scmp}\``);
    const socketcall = fieldRow(text, 'socketFamilies');
    for (const a of ARCHES) expect(socketcall.includes(`\`${a.scmp}\``)).toBe(a.socketcall);
  });
  it('names every blacklist entry with a meaning in the blacklist row', () => {
    const blacklist = fieldRow(text, 'blacklist');
    for (const name of Object.keys(BLACKLIST_MEANINGS)) expect(blacklist).toContain(`\`${name}\``);
  });
});

describe('docs/profile-reference.md: what readOnlyOpens covers is what the compiler does', () => {
  const table = rows(section('What readOnlyOpens covers'));
  const filter = compileSyscallFilter({ defaultAction: 'allow', readOnlyOpens: true }, { profileFile: 'p.yaml', fieldBase: 'f', nativeArch: 'SCMP_ARCH_X86_64', agent: AGENT });
  /** Rows whose calls cell is nothing but a list of call names. */
  const plain = table.filter(([calls]) => /^`[a-z0-9_]+`(, `[a-z0-9_]+`)*$/.test(calls));
  const answered = (answer: string) => plain.filter(([, row]) => row.split(' | ')[1] === answer).flatMap(([calls]) => [...calls.matchAll(/`([a-z0-9_]+)`/g)].map((m) => m[1]!));

  it('every call the vocabulary denies is in the table', () => {
    const named = table.flatMap(([calls]) => [...calls.matchAll(/`([a-z0-9_]+)`/g)].map((m) => m[1]));
    for (const name of [...PATH_MUTATING_CALLS, ...UNSEEN_IO_CALLS, ...Object.keys(CHMOD_MODE_ARG)]) expect(named).toContain(name);
  });
  it.each([
    ['EROFS', ERRNO.EROFS],
    ['ENOSYS', ERRNO.ENOSYS],
  ])('the calls answered %s are answered so, and are the vocabulary\'s', (answer, errno) => {
    const calls = answered(answer);
    expect(calls.length).toBeGreaterThan(0);
    for (const name of calls) expect([name, verdictWithAgent(filter, 'SCMP_ARCH_X86_64', name, [])]).toEqual([name, { action: 'errno', errno }]);
    const vocabulary = answer === 'EROFS' ? PATH_MUTATING_CALLS : [...UNSEEN_IO_CALLS, 'openat2'];
    expect(calls.sort()).toEqual([...vocabulary].sort());
  });
  it('the calls it says stay allowed are allowed', () => {
    const calls = answered('allowed');
    expect(calls.length).toBeGreaterThan(0);
    for (const name of calls) expect([name, verdictWithAgent(filter, 'SCMP_ARCH_X86_64', name, []).action]).toEqual([name, 'allow']);
  });
});
