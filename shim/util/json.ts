/**
 * Lossless JSON for config.json. OCI specs carry 64-bit values (seccomp argument masks,
 * memory limits) that JSON.parse would round; we parse integers outside the safe range
 * as bigint and write them back digit for digit. Everything else is a plain JS value, so
 * the rest of the code reads specs as ordinary objects and only U64 fields see bigint.
 */
import { parse, stringify, isSafeNumber } from 'lossless-json';

export type U64 = number | bigint;

function parseNumber(text: string): number | bigint {
  if (isSafeNumber(text)) return Number(text);
  // Integers beyond 2^53 stay exact; non-integers beyond double precision are rare in
  // specs and stay numbers (the spec has no such fields).
  return /^-?\d+$/.test(text) ? BigInt(text) : Number(text);
}

export function parseJsonLossless(text: string): unknown {
  return parse(text, null, parseNumber);
}

/** Pretty-printed like runc's own `spec` output (tab-free, 2 spaces is fine for runc). */
export function stringifyJsonLossless(value: unknown, indent = 2): string {
  const out = stringify(value, undefined, indent);
  if (out === undefined) throw new Error('value cannot be serialised as JSON');
  return out;
}

/** Compare two U64 values exactly, whatever mix of number and bigint they are. */
export function u64Compare(a: U64, b: U64): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function u64Min(a: U64, b: U64): U64 {
  return u64Compare(a, b) <= 0 ? a : b;
}

/** A u64 as config.json holds it: a number while exact, a bigint beyond. */
export function toU64(v: bigint): U64 {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** A JSON object (not an array, not null): what a parsed file must be before its keys are read. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep structural equality over parsed JSON values (number and bigint compare by value). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) {
    if (typeof a === 'number' && !Number.isInteger(a)) return a === b;
    if (typeof b === 'number' && !Number.isInteger(b)) return a === b;
    return BigInt(a) === BigInt(b);
  }
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => jsonEqual(v, bb[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual((a as any)[k], (b as any)[k]));
}

export function deepClone<T>(value: T): T {
  // structuredClone keeps bigint, arrays and plain objects; specs hold nothing else.
  return structuredClone(value);
}
