/**
 * Where a profile field is written: the 1-based line of `spec.isolation.syscallFilter.blacklist[3]`
 * in the profile's YAML, for `explain` to print `FILE:LINE: FIELD` as compilers do. A field the
 * file does not spell out (a default, a key written in its alternative place) resolves to the
 * nearest enclosing key it does spell out; undefined when the text does not parse.
 */
import { LineCounter, parseDocument } from 'yaml';

/** `a.b[3].c (note)` -> ['a', 'b', 3, 'c']. */
export function fieldPath(field: string): Array<string | number> {
  const bare = field.split(' ')[0] ?? '';
  const out: Array<string | number> = [];
  for (const m of bare.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : (m[1] as string));
  return out;
}

/** The profile schema's alternative places (profile/schema.ts): cgroups and syscallFilter also sit directly under spec. */
const ALTERNATIVES: ReadonlyArray<[string, string]> = [
  ['isolation.syscallFilter', 'syscallFilter'],
  ['isolation.cgroups', 'cgroups'],
];

export function fieldLine(text: string, field: string): number | undefined {
  const lineCounter = new LineCounter();
  let doc;
  try {
    doc = parseDocument(text, { lineCounter });
  } catch {
    return undefined;
  }
  if (doc.errors.length > 0) return undefined;
  const path = fieldPath(field);
  const candidates = [path];
  const joined = path.join('.');
  for (const [long, short] of ALTERNATIVES) {
    if (joined.startsWith(`spec.${long}`)) candidates.push(['spec', short, ...path.slice(3)]);
  }
  // The whole field first, then its parents, in either place it may be written.
  for (let drop = 0; drop < path.length; drop++) {
    for (const c of candidates) {
      const at = c.slice(0, c.length - drop);
      if (at.length === 0) continue;
      const node = doc.getIn(at, true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return lineCounter.linePos(keyStart(doc, at) ?? node.range[0]).line;
    }
  }
  return undefined;
}

/** The offset of the key that names the last step of `path` (a map entry's key), if it is one. */
function keyStart(doc: ReturnType<typeof parseDocument>, path: Array<string | number>): number | undefined {
  const last = path[path.length - 1];
  if (typeof last !== 'string') return undefined;
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  const items = (parent as { items?: Array<{ key?: { value?: unknown; range?: [number, number, number] } }> } | null)?.items;
  return items?.find((p) => p.key?.value === last)?.key?.range?.[0];
}
