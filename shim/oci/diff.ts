/**
 * A readable list of what changed between two specs, for `openclaw-runtime merge --diff`
 * and the demo: one line per changed leaf (arrays of objects compared by a key where they
 * have one), long values shortened.
 */
import { isRecord, jsonEqual, stringifyJsonLossless } from '../util/json.js';

export interface Change {
  path: string;
  before?: unknown;
  after?: unknown;
}

/** Arrays whose items are identified by a field rather than their position. */
const ARRAY_KEYS: Record<string, string> = {
  mounts: 'destination',
  'linux.namespaces': 'type',
  'linux.devices': 'path',
  'process.rlimits': 'type',
};

export function diffSpecs(before: unknown, after: unknown, path = ''): Change[] {
  if (jsonEqual(before, after)) return [];
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((k) => diffSpecs(before[k], after[k], path ? `${path}.${k}` : k));
  }
  const key = ARRAY_KEYS[path];
  if (key && Array.isArray(before) && Array.isArray(after)) {
    const id = (v: unknown) => (isRecord(v) ? String(v[key]) : JSON.stringify(v));
    const ids = [...new Set([...before.map(id), ...after.map(id)])];
    return ids.flatMap((i) =>
      diffSpecs(before.find((v) => id(v) === i), after.find((v) => id(v) === i), `${path}[${key}=${i}]`),
    );
  }
  return [{ path, before, after }];
}

function show(v: unknown, max: number): string {
  if (v === undefined) return '(none)';
  const s = stringifyJsonLossless(v, 0).replace(/\n/g, '');
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}

export function formatChanges(changes: Change[], max = 100): string {
  return changes.map((c) => `  ${c.path}: ${show(c.before, max)} -> ${show(c.after, max)}`).join('\n');
}
