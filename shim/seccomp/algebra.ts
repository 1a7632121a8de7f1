/**
 * A small boolean algebra over system-call arguments, independent of the OCI encoding:
 *
 *   Atom  one comparison of one 64-bit argument (libseccomp's SCMP_CMP_*)
 *   Term  a conjunction of atoms (canonical: simplified per argument index, sorted)
 *   Dnf   a disjunction of terms ([] is false, [[]] is true)
 *
 * combine.ts uses it to intersect filters cell by cell; compile.ts to turn profile intent
 * ("not read-only", "any family but these") into expressible rules. All values are bigint and
 * unsigned 64-bit, as libseccomp compares them.
 */
import { U64_MAX, type CmpOp } from './vocabulary.js';

export interface Atom {
  index: number;
  op: CmpOp;
  /** For MASKED_EQ the mask (OCI `value`), otherwise the operand. */
  value: bigint;
  /** For MASKED_EQ the datum (OCI `valueTwo`); 0 for the other ops. */
  valueTwo: bigint;
}
export type Term = Atom[];
export type Dnf = Term[];

export const TRUE: Dnf = [[]];
export const FALSE: Dnf = [];

/** Terms beyond this in one DNF mean the filter is too complex to combine safely. */
export const MAX_TERMS = 4096;

export class AlgebraLimitError extends Error {}

export function atom(index: number, op: CmpOp, value: bigint, valueTwo = 0n): Atom {
  return { index, op, value, valueTwo: op === 'MASKED_EQ' ? valueTwo : 0n };
}

/** What libseccomp and the kernel compute for one comparison. */
const ATOM_EVAL: Record<CmpOp, (x: bigint, a: Atom) => boolean> = {
  EQ: (x, a) => x === a.value,
  NE: (x, a) => x !== a.value,
  LT: (x, a) => x < a.value,
  LE: (x, a) => x <= a.value,
  GT: (x, a) => x > a.value,
  GE: (x, a) => x >= a.value,
  MASKED_EQ: (x, a) => (x & a.value) === a.valueTwo,
};

export function atomHolds(a: Atom, args: readonly bigint[]): boolean {
  return ATOM_EVAL[a.op](BigInt.asUintN(64, args[a.index] ?? 0n), a);
}
export function termHolds(t: Term, args: readonly bigint[]): boolean {
  return t.every((a) => atomHolds(a, args));
}
export function dnfHolds(d: Dnf, args: readonly bigint[]): boolean {
  return d.some((t) => termHolds(t, args));
}

// ---------------------------------------------------------------------------------------------
// One argument index: the set of values a conjunction of atoms allows.

/** {x : lo <= x <= hi, x not in ne, (x & mask) == bits}. */
export interface Constraint {
  lo: bigint;
  hi: bigint;
  ne: bigint[];
  mask: bigint;
  bits: bigint;
}

const FULL: Constraint = { lo: 0n, hi: U64_MAX, ne: [], mask: 0n, bits: 0n };

/** Adds one atom to a constraint; undefined when the result is empty. */
function narrow(c: Constraint, a: Atom): Constraint | undefined {
  const v = a.value;
  const next: Constraint = { ...c, ne: [...c.ne] };
  switch (a.op) {
    case 'EQ':
      next.lo = next.lo > v ? next.lo : v;
      next.hi = next.hi < v ? next.hi : v;
      break;
    case 'NE':
      next.ne.push(v);
      break;
    case 'LT':
      if (v === 0n) return undefined;
      if (v - 1n < next.hi) next.hi = v - 1n;
      break;
    case 'LE':
      if (v < next.hi) next.hi = v;
      break;
    case 'GT':
      if (v === U64_MAX) return undefined;
      if (v + 1n > next.lo) next.lo = v + 1n;
      break;
    case 'GE':
      if (v > next.lo) next.lo = v;
      break;
    case 'MASKED_EQ': {
      // A datum with bits outside its mask never matches (libseccomp compares (x & mask) == datum).
      if ((a.valueTwo & ~v) !== 0n) return undefined;
      const common = next.mask & v;
      if ((next.bits & common) !== (a.valueTwo & common)) return undefined;
      next.mask |= v;
      next.bits |= a.valueTwo;
      break;
    }
  }
  return normalise(next);
}

function matchesMask(c: Constraint, x: bigint): boolean {
  return (x & c.mask) === c.bits;
}

/** Tightens the bounds around excluded points and detects emptiness (sound: never calls a non-empty set empty). */
function normalise(c: Constraint): Constraint | undefined {
  let { lo, hi } = c;
  // Most constraints exclude no point: skip the set work then (same result, it is hot).
  const ne = c.ne.length === 0 ? NO_POINTS : new Set(c.ne);
  for (;;) {
    if (lo > hi) return undefined;
    if (ne.has(lo) || !matchesMask(c, lo)) {
      if (lo === hi) return undefined;
      if (ne.has(lo)) {
        lo += 1n;
        continue;
      }
    }
    if (ne.has(hi)) {
      hi -= 1n;
      continue;
    }
    break;
  }
  // The smallest and largest values the mask allows bound the set too.
  const minByMask = c.bits;
  const maxByMask = c.bits | (~c.mask & U64_MAX);
  if (minByMask > hi || maxByMask < lo) return undefined;
  if (lo === hi && !matchesMask(c, lo)) return undefined;
  const keptNe = ne.size === 0 ? [] : [...ne].filter((p) => p > lo && p < hi && matchesMask(c, p)).sort(cmpBig);
  return { lo, hi, ne: keptNe, mask: c.mask, bits: c.bits };
}

const NO_POINTS: ReadonlySet<bigint> = new Set();

function cmpBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The constraint's atoms (possibly several on this index); undefined when it is empty. */
export function constraintAtoms(index: number, c: Constraint): Atom[] {
  if (c.lo === c.hi) return [atom(index, 'EQ', c.lo)];
  const out: Atom[] = [];
  if (c.mask !== 0n) {
    out.push(c.mask === U64_MAX ? atom(index, 'EQ', c.bits) : atom(index, 'MASKED_EQ', c.mask, c.bits));
  }
  if (c.lo > 0n) out.push(atom(index, 'GE', c.lo));
  if (c.hi < U64_MAX) out.push(atom(index, 'LE', c.hi));
  for (const p of c.ne) out.push(atom(index, 'NE', p));
  return out;
}

export function constraintOf(atoms: readonly Atom[]): Constraint | undefined {
  let c: Constraint | undefined = FULL;
  for (const a of atoms) {
    c = narrow(c, a);
    if (!c) return undefined;
  }
  return c;
}

/**
 * The same set as a union of single atoms, exactly: the interval minus excluded points is cut
 * into aligned power-of-two blocks (each a MASKED_EQ), each block narrowed by the mask. Returns
 * undefined when that needs more than `limit` atoms.
 */
export function constraintAsUnion(index: number, c: Constraint, limit = 64): Atom[] | undefined {
  const direct = constraintAtoms(index, c);
  if (direct.length <= 1) return direct;
  const pieces: Array<[bigint, bigint]> = [];
  let start = c.lo;
  for (const p of c.ne) {
    if (p > start) pieces.push([start, p - 1n]);
    start = p + 1n;
  }
  pieces.push([start, c.hi]);
  const out: Atom[] = [];
  for (const [lo, hi] of pieces) {
    if (c.mask === 0n && (lo === 0n || hi === U64_MAX || lo === hi)) {
      out.push(...constraintAtoms(index, { lo, hi, ne: [], mask: 0n, bits: 0n }));
      continue;
    }
    for (const [bm, bv] of alignedBlocks(lo, hi)) {
      const common = bm & c.mask;
      if ((bv & common) !== (c.bits & common)) continue;
      const mask = bm | c.mask;
      const bits = bv | c.bits;
      out.push(mask === U64_MAX ? atom(index, 'EQ', bits) : atom(index, 'MASKED_EQ', mask, bits));
      if (out.length > limit) return undefined;
    }
  }
  return out;
}

/** [lo, hi] as aligned blocks {x : (x & mask) == value}. At most 128 blocks. */
function alignedBlocks(lo: bigint, hi: bigint): Array<[bigint, bigint]> {
  const out: Array<[bigint, bigint]> = [];
  let cur = lo;
  for (;;) {
    let size = 1n;
    while (size < 1n << 64n && (cur & (size * 2n - 1n)) === 0n && cur + size * 2n - 1n <= hi) size *= 2n;
    out.push([~(size - 1n) & U64_MAX, cur]);
    if (cur + size - 1n >= hi) return out;
    cur += size;
  }
}

// ---------------------------------------------------------------------------------------------
// Terms and DNFs

// Keys are computed once per atom: the DNF operations compare and sort by them constantly and
// a fresh process runs them cold (this sits on every create). Atoms are never mutated.
const ATOM_KEYS = new WeakMap<Atom, string>();

function atomKey(a: Atom): string {
  let k = ATOM_KEYS.get(a);
  if (k === undefined) {
    k = `${a.index}:${a.op}:${a.value}:${a.valueTwo}`;
    ATOM_KEYS.set(a, k);
  }
  return k;
}
export function termKey(t: Term): string {
  if (t.length === 1) return atomKey(t[0]!);
  return t.map(atomKey).join('&');
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortAtoms(atoms: Atom[]): Atom[] {
  if (atoms.length < 2) return atoms;
  const keyed = atoms.map((a) => ({ a, k: atomKey(a) }));
  keyed.sort((x, y) => x.a.index - y.a.index || cmpStr(x.k, y.k));
  for (let i = 0; i < keyed.length; i++) atoms[i] = keyed[i]!.a;
  return atoms;
}

/** Simplifies a conjunction index by index; undefined when it is contradictory. */
export function simplifyTerm(atoms: readonly Atom[]): Term | undefined {
  if (atoms.length === 0) return [];
  const byIndex = new Map<number, Atom[]>();
  for (const a of atoms) {
    const list = byIndex.get(a.index);
    if (list) list.push(a);
    else byIndex.set(a.index, [a]);
  }
  const out: Atom[] = [];
  for (const [index, list] of byIndex) {
    const simple = simplifyIndex(index, list);
    if (!simple) return undefined;
    for (const a of simple) out.push(a);
  }
  return sortAtoms(out);
}

/**
 * constraintAtoms(constraintOf(list)), memoised by the atoms' keys: the same few conjunctions
 * (one argument's conditions) recur across syscalls and across the cells of one partition.
 * The memo only holds immutable atoms; it is bounded so a long-lived process cannot grow it.
 */
const INDEX_MEMO = new Map<string, readonly Atom[] | null>();
const INDEX_MEMO_MAX = 50_000;

function simplifyIndex(index: number, list: readonly Atom[]): readonly Atom[] | undefined {
  const key = list.length === 1 ? atomKey(list[0]!) : list.map(atomKey).join('&');
  const hit = INDEX_MEMO.get(key);
  if (hit !== undefined) return hit ?? undefined;
  const c = constraintOf(list);
  const atoms = c ? constraintAtoms(index, c) : undefined;
  if (INDEX_MEMO.size >= INDEX_MEMO_MAX) INDEX_MEMO.clear();
  INDEX_MEMO.set(key, atoms ?? null);
  return atoms;
}

export function andTerm(a: Term, b: Term): Term | undefined {
  return simplifyTerm([...a, ...b]);
}

/** Removes duplicates and terms implied by another (a term whose atoms contain another's). */
function absorb(terms: Term[]): Dnf {
  const unique = new Map<string, Term>();
  for (const t of terms) unique.set(termKey(t), t);
  // Shortest first, so a term is only checked against the terms that could imply it.
  const list = [...unique].sort((x, y) => x[1].length - y[1].length);
  if (list.length > 0 && list[0]![1].length === 0) return [list[0]![1]]; // TRUE absorbs everything
  // A kept term k implies t when every atom of k is in t; candidates are found by k's first atom.
  const kept: Array<[string, Term]> = [];
  const byFirstAtom = new Map<string, Term[]>();
  for (const entry of list) {
    const t = entry[1];
    const keys = new Set(t.map(atomKey));
    let implied = false;
    for (const k of keys) {
      const candidates = byFirstAtom.get(k);
      if (candidates && candidates.some((c) => c.every((a) => keys.has(atomKey(a))))) {
        implied = true;
        break;
      }
    }
    if (implied) continue;
    kept.push(entry);
    const first = atomKey(t[0]!);
    const bucket = byFirstAtom.get(first);
    if (bucket) bucket.push(t);
    else byFirstAtom.set(first, [t]);
  }
  if (kept.length > MAX_TERMS) throw new AlgebraLimitError(`more than ${MAX_TERMS} terms`);
  return kept.sort((x, y) => cmpStr(x[0], y[0])).map((e) => e[1]);
}

export function orDnf(...ds: Dnf[]): Dnf {
  return absorb(ds.flat());
}

export function andDnf(a: Dnf, b: Dnf): Dnf {
  const key = `${dnfKey(a)}#${dnfKey(b)}`;
  const hit = DNF_MEMO.get(key);
  if (hit) return hit;
  const out: Term[] = [];
  for (const x of a) {
    for (const y of b) {
      const t = andTerm(x, y);
      if (t) out.push(t);
      if (out.length > MAX_TERMS * 4) throw new AlgebraLimitError(`more than ${MAX_TERMS} terms`);
    }
  }
  return remember(key, absorb(out));
}

// Results of andDnf/negateDnf by their inputs' keys. Decoding a filter repeats the same work for
// every name a rule lists (socket and socketpair share their conditions), so in a fresh process
// this halves the cost of the common profiles. DNFs are never mutated once built, so sharing
// a result is safe; a throw (AlgebraLimitError) is never remembered. Bounded like INDEX_MEMO.
const DNF_MEMO = new Map<string, Dnf>();
const DNF_MEMO_MAX = 10_000;

/** Unambiguous: FALSE ([]) is "", TRUE ([[]]) is "()". */
function dnfKey(d: Dnf): string {
  let k = '';
  for (const t of d) k += `(${termKey(t)})`;
  return k;
}

function remember(key: string, d: Dnf): Dnf {
  if (DNF_MEMO.size >= DNF_MEMO_MAX) DNF_MEMO.clear();
  DNF_MEMO.set(key, d);
  return d;
}

/** NOT of one atom as a DNF. NOT MASKED_EQ(m, v) is "some bit of m differs from v": one MASKED_EQ per bit. */
export function negateAtom(a: Atom): Dnf {
  const i = a.index;
  switch (a.op) {
    case 'EQ':
      return [[atom(i, 'NE', a.value)]];
    case 'NE':
      return [[atom(i, 'EQ', a.value)]];
    case 'LT':
      return [[atom(i, 'GE', a.value)]];
    case 'GE':
      return a.value === 0n ? FALSE : [[atom(i, 'LT', a.value)]];
    case 'LE':
      return a.value === U64_MAX ? FALSE : [[atom(i, 'GT', a.value)]];
    case 'GT':
      return [[atom(i, 'LE', a.value)]];
    case 'MASKED_EQ': {
      if ((a.valueTwo & ~a.value) !== 0n) return TRUE; // never matched, so its negation always holds
      const out: Term[] = [];
      for (let b = 1n; b <= a.value; b <<= 1n) {
        if ((a.value & b) !== 0n) out.push([atom(i, 'MASKED_EQ', b, b & ~a.valueTwo)]);
      }
      return out;
    }
  }
}

export function negateTerm(t: Term): Dnf {
  return orDnf(...t.map(negateAtom));
}

export function negateDnf(d: Dnf): Dnf {
  const key = `!${dnfKey(d)}`;
  const hit = DNF_MEMO.get(key);
  if (hit) return hit;
  const gaps = complementOnOneIndex(d);
  if (gaps) return remember(key, gaps);
  let acc: Dnf = TRUE;
  for (const t of d) {
    acc = andDnf(acc, negateTerm(t));
    if (acc.length === 0) return FALSE;
  }
  return remember(key, acc);
}

/**
 * The complement of a DNF whose terms all constrain one argument to intervals (EQ, ranges,
 * aligned MASKED_EQ blocks, NE points), as the gaps between them: one term per gap. De Morgan
 * over such terms multiplies out (a 61-bit MASKED_EQ negates to 61 terms, and nine of them
 * took seconds: decoding an ioctl allow-list of two requests), while the gaps are at most one
 * more than the intervals. Undefined when a term is not of that shape (the general path).
 */
function complementOnOneIndex(d: Dnf): Dnf | undefined {
  if (d.length < 2) return undefined;
  const index = d[0]![0]?.index;
  if (index === undefined) return undefined;
  const intervals: Array<[bigint, bigint]> = [];
  for (const t of d) {
    if (t.length === 0 || t.some((a) => a.index !== index)) return undefined;
    const c = constraintOf(t);
    if (!c) continue; // an empty term adds nothing to the union
    const pieces = intervalsOf(c);
    if (!pieces) return undefined;
    intervals.push(...pieces);
  }
  intervals.sort((x, y) => cmpBig(x[0], y[0]));
  // Only points (EQ terms): "none of them" is one term, as De Morgan gives it.
  if (intervals.every(([lo, hi]) => lo === hi)) {
    const term = simplifyTerm(intervals.map(([p]) => atom(index, 'NE', p)));
    return term ? [term] : FALSE;
  }
  const gaps: Dnf = [];
  let next = 0n; // the smallest value not yet covered
  for (const [lo, hi] of intervals) {
    if (lo > next) gaps.push(sortAtoms(constraintAtoms(index, { lo: next, hi: lo - 1n, ne: [], mask: 0n, bits: 0n })));
    if (hi >= next) next = hi + 1n;
    if (next > U64_MAX) return absorb(gaps);
  }
  gaps.push(sortAtoms(constraintAtoms(index, { lo: next, hi: U64_MAX, ne: [], mask: 0n, bits: 0n })));
  return absorb(gaps);
}

/** A constraint as disjoint intervals, when its mask is an aligned block (high bits only) or none. */
function intervalsOf(c: Constraint): Array<[bigint, bigint]> | undefined {
  let { lo, hi } = c;
  if (c.mask !== 0n) {
    const low = ~c.mask & U64_MAX;
    if ((low & (low + 1n)) !== 0n) return undefined; // not 1...10...0: not one block
    if (c.bits > lo) lo = c.bits;
    if ((c.bits | low) < hi) hi = c.bits | low;
    if (lo > hi) return [];
  }
  const out: Array<[bigint, bigint]> = [];
  let start = lo;
  for (const p of c.ne) {
    if (p < start || p > hi) continue;
    if (p > start) out.push([start, p - 1n]);
    start = p + 1n;
  }
  if (start <= hi) out.push([start, hi]);
  return out;
}

export function isTrue(d: Dnf): boolean {
  return d.some((t) => t.length === 0);
}

/** Canonical form of any conjunction (simplified, possibly several atoms per index). */
export function normaliseDnf(d: Dnf): Dnf {
  return absorb(d.map((t) => simplifyTerm(t)).filter((t): t is Term => t !== undefined));
}
