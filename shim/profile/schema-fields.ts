/**
 * Every field of the profile schema, read from the zod schema itself (shim/profile/schema.ts):
 * its dotted path, its type in words and its schema default. docs/profile-reference.md's field
 * tables are generated from this (scripts/gen-profile-reference.mjs, shim/profile/reference.ts),
 * so a field added to the schema without its documentation fails a test instead of drifting.
 * Not on the create path (only the generator, the tests and tools import it).
 *
 * Paths: `spec.isolation.cgroups.memory`; list elements as `[]`
 * (`spec.filesystem.allowedBindMounts[].source`). `spec.cgroups` and `spec.syscallFilter`, the
 * seed's other reading of where they sit, are listed once as aliases and not walked again.
 */
import type { z } from 'zod';
import { ProfileSchema } from './schema.js';

export interface SchemaField {
  path: string;
  /** The type in words, e.g. `boolean`, `list of string`, one of `isolated`, `inherit`. */
  type: string;
  required: boolean;
  /** The schema's own default (zod `.default()`), when it has one. */
  schemaDefault?: unknown;
  /** Set for `spec.cgroups` / `spec.syscallFilter`: the path they stand for. */
  aliasOf?: string;
}

/** Where the seed left the indentation open: these sit under spec or spec.isolation (schema.ts). */
export const PROFILE_ALIASES: Readonly<Record<string, string>> = {
  'spec.cgroups': 'spec.isolation.cgroups',
  'spec.syscallFilter': 'spec.isolation.syscallFilter',
};

type Def = { type: string; [k: string]: unknown };
const defOf = (s: unknown): Def => (s as { _zod: { def: Def } })._zod.def;

/** Optional, default and pipe/transform wrappers off: the schema that says what the value is. */
function unwrap(s: z.ZodType): { inner: z.ZodType; optional: boolean; dflt?: unknown; hasDefault: boolean } {
  let inner = s;
  let optional = false;
  let hasDefault = false;
  let dflt: unknown;
  for (;;) {
    const d = defOf(inner);
    if (d.type === 'optional') {
      optional = true;
      inner = d.innerType as z.ZodType;
    } else if (d.type === 'default') {
      hasDefault = true;
      dflt = typeof d.defaultValue === 'function' ? (d.defaultValue as () => unknown)() : d.defaultValue;
      inner = d.innerType as z.ZodType;
    } else if (d.type === 'pipe') {
      inner = d.in as z.ZodType;
    } else if (d.type === 'lazy') {
      inner = (d.getter as () => z.ZodType)();
    } else {
      return { inner, optional, dflt, hasDefault };
    }
  }
}

function words(s: z.ZodType): string {
  const { inner } = unwrap(s);
  const d = defOf(inner);
  switch (d.type) {
    case 'string':
    case 'boolean':
      return d.type;
    case 'number':
      return (inner as unknown as { isInt?: boolean }).isInt ? 'integer' : 'number';
    case 'bigint':
      return 'integer';
    case 'enum':
      return `one of ${Object.values(d.entries as Record<string, string>).map((v) => `\`${v}\``).join(', ')}`;
    case 'literal':
      return (d.values as unknown[]).map((v) => `\`${String(v)}\``).join(' or ');
    case 'array':
      return `list of ${words(d.element as z.ZodType)}`;
    case 'object':
      return 'object';
    case 'union':
      return (d.options as z.ZodType[]).map(words).join(' or ');
    default:
      return d.type;
  }
}

function walk(schema: z.ZodType, base: string, out: SchemaField[]): void {
  const d = defOf(unwrap(schema).inner);
  if (d.type !== 'object') return;
  for (const [key, field] of Object.entries(d.shape as Record<string, z.ZodType>)) {
    const path = base ? `${base}.${key}` : key;
    const u = unwrap(field);
    const alias = PROFILE_ALIASES[path];
    out.push({ path, type: words(field), required: !u.optional && !u.hasDefault, ...(u.hasDefault ? { schemaDefault: u.dflt } : {}), ...(alias ? { aliasOf: alias } : {}) });
    if (alias) continue;
    const id = defOf(u.inner);
    if (id.type === 'object') walk(u.inner, path, out);
    else if (id.type === 'array' && defOf(unwrap(id.element as z.ZodType).inner).type === 'object') walk(id.element as z.ZodType, `${path}[]`, out);
  }
}

/** Every field of the SandboxProfile schema, in schema order. */
export function profileSchemaFields(): SchemaField[] {
  const out: SchemaField[] = [];
  walk(ProfileSchema as unknown as z.ZodType, '', out);
  return out;
}
