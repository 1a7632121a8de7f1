/**
 * docs/profile-reference.md cannot drift from the schema (issue 13 item 5): every field the
 * zod schema has is documented (meaning, default, merge policy, example), no entry documents a
 * field that is gone, and the generated part of the doc is what the generator writes now.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { profileSchemaFields } from '../../../shim/profile/schema-fields.js';
import { FIELD_DOCS, GENERATED_BEGIN, GENERATED_END, renderFieldReference, withGeneratedReference } from '../../../shim/profile/reference.js';

const DOC = join(__dirname, '..', '..', '..', 'docs', 'profile-reference.md');

describe('profile reference', () => {
  const fields = profileSchemaFields();

  it('the walker sees the schema: nested objects, list elements, defaults, aliases', () => {
    const byPath = new Map(fields.map((f) => [f.path, f]));
    expect(byPath.get('spec.isolation.syscallFilter.rules[].args[].valueTwo')?.type).toBe('integer or string');
    expect(byPath.get('spec.filesystem.allowedBindMounts[].noexec')).toMatchObject({ type: 'boolean', required: false, schemaDefault: true });
    expect(byPath.get('spec.isolation.cgroups.pids.max')).toMatchObject({ type: 'integer', required: true });
    expect(byPath.get('spec.isolation.syscallFilter.audit')?.type).toBe('boolean');
    expect(byPath.get('spec.syscallFilter')?.aliasOf).toBe('spec.isolation.syscallFilter');
    expect([...byPath.keys()].some((p) => p.startsWith('spec.syscallFilter.'))).toBe(false);
    expect(fields.length).toBeGreaterThanOrEqual(70);
  });

  it('every schema field has its meaning, default, merge policy and example; every entry names a field', () => {
    const missing = fields.filter((f) => {
      const d = FIELD_DOCS[f.path];
      return !d || !d.meaning || !d.default || !d.policy || !d.example;
    });
    expect(missing.map((f) => f.path)).toEqual([]);
    const stale = Object.keys(FIELD_DOCS).filter((p) => !fields.some((f) => f.path === p));
    expect(stale).toEqual([]);
  });

  it('a field added to the schema without documentation fails the render, naming it', () => {
    const extra = [...fields, { path: 'spec.filesystem.newThing', type: 'boolean', required: false }];
    expect(() => renderFieldReference(extra)).toThrow(/no documentation for profile field spec\.filesystem\.newThing/);
  });

  it('examples are YAML the schema accepts for that field (sections checked against the whole schema)', async () => {
    const { parse } = await import('yaml');
    const { ProfileSchema } = await import('../../../shim/profile/schema.js');
    // one example per leaf field under spec, placed where its path says, validated in a minimal profile
    for (const f of fields.filter((x) => x.path.startsWith('spec.') && !x.path.includes('[]') && !x.aliasOf && x.type !== 'object')) {
      const value = Object.values(parse(FIELD_DOCS[f.path]!.example) as Record<string, unknown>)[0];
      const keys = f.path.split('.').slice(1);
      const spec: Record<string, unknown> = {};
      let at = spec;
      keys.forEach((k, i) => {
        at[k] = i === keys.length - 1 ? value : {};
        at = at[k] as Record<string, unknown>;
      });
      const filter = (spec.isolation as { syscallFilter?: Record<string, unknown> } | undefined)?.syscallFilter;
      if (filter && !('defaultAction' in filter)) filter.defaultAction = 'errno';
      const r = ProfileSchema.safeParse({ apiVersion: 'security.openclaw.org/v1alpha1', kind: 'SandboxProfile', metadata: { name: 'x' }, spec });
      expect(r.success ? 'ok' : `${f.path}: ${z.prettifyError(r.error)}`).toBe('ok');
    }
  });

  it('docs/profile-reference.md holds exactly the generated tables between its markers (run scripts/gen-profile-reference.mjs)', () => {
    const doc = readFileSync(DOC, 'utf8');
    expect(doc).toContain(GENERATED_BEGIN);
    expect(doc).toContain(GENERATED_END);
    expect(withGeneratedReference(doc)).toBe(doc);
    for (const f of fields) expect(doc).toContain(`| \`${f.path}\` |`);
  });

  it('the hand-written sections the issue asks for are there around the generated part', () => {
    const doc = readFileSync(DOC, 'utf8');
    for (const h of ['## The syscall filter', '### When the seccomp agent is required, and why', '### The log action', '### Audit mode', '## Bind mounts']) expect(doc).toContain(h);
    expect(doc.indexOf('## The syscall filter')).toBeGreaterThan(doc.indexOf(GENERATED_END));
  });
});
