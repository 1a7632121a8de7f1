/**
 * seccomp/algebra.ts negateDnf: exact on every value that can tell two answers apart (each
 * operand, its neighbours, block edges, 0 and 2^64-1), for random disjunctions over one
 * argument (where the interval shortcut applies) and over two (the general De Morgan path).
 * And small where it matters: the complement of an ioctl allow-list decoded from its own
 * rules used to take thousands of terms (seconds of compile per recorded profile).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AlgebraLimitError, atom, dnfHolds, negateDnf, type Atom, type Dnf } from '../../../shim/seccomp/algebra.js';
import { U64_MAX } from '../../../shim/seccomp/vocabulary.js';

const value = fc.oneof(fc.bigInt({ min: 0n, max: 64n }), fc.bigInt({ min: 0x5400n, max: 0x5460n }), fc.constantFrom(0n, U64_MAX, U64_MAX - 1n, 1n << 63n));

/** An atom of the shapes the compiler and the decoder make: comparisons and aligned blocks. */
const atomOn = (index: number): fc.Arbitrary<Atom> =>
  fc.oneof(
    fc.tuple(fc.constantFrom('EQ', 'NE', 'LT', 'LE', 'GT', 'GE') as fc.Arbitrary<'EQ' | 'NE' | 'LT' | 'LE' | 'GT' | 'GE'>, value).map(([op, v]) => atom(index, op, v)),
    // {x : x & ~(2^k - 1) == base}: an aligned block of 2^k values
    fc.tuple(fc.integer({ min: 0, max: 8 }), value).map(([k, v]) => {
      const mask = ~((1n << BigInt(k)) - 1n) & U64_MAX;
      return atom(index, 'MASKED_EQ', mask, v & mask);
    }),
  );

const dnfOn = (indexes: number[], maxTerms = 6): fc.Arbitrary<Dnf> => fc.array(fc.array(fc.oneof(...indexes.map(atomOn)), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: maxTerms });

/** negateDnf(d), or undefined where the algebra refuses it as too large (it says so; never wrong). */
function negation(d: Dnf): Dnf | undefined {
  try {
    return negateDnf(d);
  } catch (e) {
    if (e instanceof AlgebraLimitError) return undefined;
    throw e;
  }
}

/** Every value where some atom of `d` changes its answer, and the ends. */
function probes(d: Dnf): bigint[] {
  const out = new Set<bigint>([0n, 1n, U64_MAX, U64_MAX - 1n]);
  for (const t of d) {
    for (const a of t) {
      for (const v of [a.value, a.valueTwo, a.valueTwo | (~a.value & U64_MAX)]) {
        for (const x of [v - 1n, v, v + 1n]) if (x >= 0n && x <= U64_MAX) out.add(x);
      }
    }
  }
  return [...out];
}

describe('negateDnf is exact', () => {
  it('over one argument (the interval shortcut)', () => {
    fc.assert(
      fc.property(dnfOn([1]), (d) => {
        const n = negation(d);
        fc.pre(n !== undefined);
        for (const x of probes(d)) {
          const args = [0n, x];
          expect([x, dnfHolds(n!, args)]).toEqual([x, !dnfHolds(d, args)]);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('with a mask that is no block (De Morgan, one argument)', () => {
    const odd = fc.tuple(fc.constantFrom(0x3n, 0x5n, 0x100n), value).map(([mask, v]) => atom(1, 'MASKED_EQ', mask, v & mask));
    fc.assert(
      fc.property(fc.array(fc.tuple(odd, atomOn(1)).map(([a, b]) => [a, b]), { minLength: 1, maxLength: 3 }), (d) => {
        const n = negation(d);
        fc.pre(n !== undefined);
        for (const x of probes(d)) expect([x, dnfHolds(n!, [0n, x])]).toEqual([x, !dnfHolds(d, [0n, x])]);
      }),
      { numRuns: 100 },
    );
  });

  it('over two arguments (De Morgan)', () => {
    fc.assert(
      fc.property(dnfOn([0, 1], 4), (d) => {
        const n = negation(d);
        fc.pre(n !== undefined);
        const ps = probes(d);
        for (const x of ps.slice(0, 12)) {
          for (const y of ps.slice(-12)) {
            const args = [x, y];
            expect(dnfHolds(n!, args)).toBe(!dnfHolds(d, args));
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('negateDnf stays small over one argument', () => {
  it('"none of these requests" is one term of NE atoms', () => {
    const n = negateDnf([[atom(1, 'EQ', 0x5401n)], [atom(1, 'EQ', 0x5413n)]]);
    expect(n).toEqual([[atom(1, 'NE', 0x5401n), atom(1, 'NE', 0x5413n)]]);
  });

  it('the complement of the nine rules that encode a two-request allow-list is empty (they cover everything)', () => {
    // What encodeSeccomp writes for "allow TCGETS and TIOCGWINSZ, notify the rest" (ioctl, arg 1).
    const block = (mask: bigint, bits: bigint) => [atom(1, 'MASKED_EQ', mask, bits)];
    const rules: Dnf = [
      [atom(1, 'EQ', 0x5401n)],
      [atom(1, 'EQ', 0x5413n)],
      block(0xfffffffffffffff8n, 0x5408n),
      block(0xfffffffffffffffcn, 0x5404n),
      block(0xfffffffffffffffen, 0x5402n),
      block(0xfffffffffffffffen, 0x5410n),
      [atom(1, 'LE', 0x5400n)],
      [atom(1, 'EQ', 0x5412n)],
      [atom(1, 'GE', 0x5414n)],
    ];
    expect(negateDnf(rules)).toEqual([]);
    // One request left out: its point is the whole complement.
    expect(negateDnf(rules.filter((_, i) => i !== 1))).toEqual([[atom(1, 'EQ', 0x5413n)]]);
  });
});
