/**
 * The agent's fair scheduler and rate limits, table-driven, on a fake clock: a listener that
 * always has work never keeps another waiting more than one turn, and a container past its
 * rate waits while the others are served.
 */
import { describe, expect, it } from 'vitest';
import { FairScheduler, type ServeOutcome } from '../../../shim/agent/fair-scheduler.js';
import { KeyedLimiter, TokenBucket } from '../../../shim/agent/rate-limit.js';

/** Runs a scheduler over queues of pending items per key until no turn is scheduled; returns the service order. */
function simulate(opts: { quantum: number; pending: Record<string, number>; arrivals?: Array<{ afterTurn: number; key: string; items: number }>; held?: string[] }) {
  const pending = new Map(Object.entries(opts.pending));
  const order: string[] = [];
  const idle: string[] = [];
  const turns: Array<() => void> = [];
  const s = new FairScheduler<string>({
    quantum: opts.quantum,
    serveOne: (k): ServeOutcome => {
      if (opts.held?.includes(k)) return 'held';
      const left = pending.get(k) ?? 0;
      if (left === 0) return 'empty';
      pending.set(k, left - 1);
      order.push(k);
      return 'served';
    },
    onIdle: (k) => idle.push(k),
    schedule: (turn) => turns.push(turn),
  });
  for (const k of Object.keys(opts.pending)) s.ready(k);
  let turn = 0;
  while (turns.length > 0) {
    expect(turns.length).toBe(1); // never more than one turn scheduled
    turns.shift()!();
    turn++;
    for (const a of opts.arrivals ?? []) {
      if (a.afterTurn === turn) {
        pending.set(a.key, (pending.get(a.key) ?? 0) + a.items);
        s.ready(a.key);
      }
    }
    if (turn > 10_000) throw new Error('no end');
  }
  return { order: order.join(''), idle, turns: turn, waiting: s.waiting() };
}

describe('FairScheduler', () => {
  it.each([
    { name: 'one key, drained a quantum per turn', quantum: 2, pending: { a: 5 }, order: 'aaaaa', turns: 3, idle: ['a'] },
    { name: 'two keys alternate by quantum', quantum: 2, pending: { a: 6, b: 3 }, order: 'aabbaabaa', turns: 4, idle: ['b', 'a'] },
    { name: 'quantum 1 is strict round-robin', quantum: 1, pending: { a: 3, b: 3, c: 1 }, order: 'abcabab', turns: 4, idle: ['c', 'a', 'b'] },
    { name: 'a key with nothing pending leaves at once', quantum: 4, pending: { a: 0, b: 2 }, order: 'bb', turns: 1, idle: ['a', 'b'] },
  ])('$name', ({ quantum, pending, order, turns, idle }) => {
    const r = simulate({ quantum, pending });
    expect(r.order).toBe(order);
    expect(r.turns).toBe(turns);
    expect(r.idle).toEqual(idle);
    expect(r.waiting).toEqual([]);
  });

  it.each([
    // A flooder (f) with far more work than anyone: a neighbour (n) that becomes ready after
    // turn k is served in turn k+1, after at most one quantum of the flooder.
    { quantum: 2, afterTurn: 3, want: 'ffffff' + 'ffn' },
    { quantum: 1, afterTurn: 5, want: 'fffff' + 'fn' },
    { quantum: 4, afterTurn: 1, want: 'ffff' + 'ffffn' },
  ])('a neighbour arriving after turn $afterTurn waits at most one flooder quantum ($quantum)', ({ quantum, afterTurn, want }) => {
    const r = simulate({ quantum, pending: { f: 1000 }, arrivals: [{ afterTurn, key: 'n', items: 1 }] });
    expect(r.order.slice(0, want.length)).toBe(want);
    expect(r.order.replace(/f/g, '')).toBe('n');
  });

  it('a held key leaves the ring without onIdle (its owner re-queues it)', () => {
    const r = simulate({ quantum: 2, pending: { a: 3, b: 2 }, held: ['a'] });
    expect(r.order).toBe('bb');
    expect(r.idle).toEqual(['b']);
  });

  it('remove() during a turn stops service of that key', () => {
    const turns: Array<() => void> = [];
    const served: string[] = [];
    const s: FairScheduler<string> = new FairScheduler<string>({
      quantum: 3,
      serveOne: (k) => {
        served.push(k);
        if (k === 'a') s.remove('b');
        return 'served';
      },
      schedule: (t) => turns.push(t),
    });
    s.ready('a');
    s.ready('b');
    turns.shift()!();
    expect(served).toEqual(['a', 'a', 'a']);
    expect(s.waiting()).toEqual(['a']);
  });
});

describe('TokenBucket (fake clock, ms)', () => {
  it.each([
    // [perSecond, burst, takes at times, expected results]
    { name: 'burst then empty', perSecond: 10, burst: 3, at: [0, 0, 0, 0], want: [true, true, true, false] },
    { name: 'refills at the rate', perSecond: 10, burst: 1, at: [0, 50, 100, 150, 200], want: [true, false, true, false, true] },
    { name: 'never above burst after a long quiet', perSecond: 1000, burst: 2, at: [0, 0, 60_000, 60_000, 60_000], want: [true, true, true, true, false] },
    { name: 'a clock going backwards adds nothing', perSecond: 10, burst: 1, at: [1000, 0, 500], want: [true, false, false] },
  ])('$name', ({ perSecond, burst, at, want }) => {
    const b = new TokenBucket({ perSecond, burst }, at[0]!);
    expect(at.map((t) => b.take(t))).toEqual(want);
  });

  it.each([
    { perSecond: 10, spent: 1, at: 0, wait: 100 },
    { perSecond: 10, spent: 1, at: 40, wait: 60 },
    { perSecond: 2000, spent: 1, at: 0, wait: 1 },
    { perSecond: 10, spent: 0, at: 0, wait: 0 },
  ])('waitMs after spending $spent at rate $perSecond, asked at $at ms: $wait', ({ perSecond, spent, at, wait }) => {
    const b = new TokenBucket({ perSecond, burst: 1 }, 0);
    for (let i = 0; i < spent; i++) b.take(0);
    expect(b.waitMs(at)).toBe(wait);
  });

  it('refuses a limit that could never admit anything', () => {
    expect(() => new TokenBucket({ perSecond: 0, burst: 1 }, 0)).toThrow(RangeError);
    expect(() => new TokenBucket({ perSecond: 1, burst: 0 }, 0)).toThrow(RangeError);
  });
});

describe('KeyedLimiter', () => {
  it('keeps containers apart and forgets a gone one (its bucket starts full again)', () => {
    const l = new KeyedLimiter<string>({ perSecond: 1, burst: 2 });
    expect([l.take('a', 0), l.take('a', 0), l.take('a', 0)]).toEqual([true, true, false]);
    expect(l.take('b', 0)).toBe(true);
    expect(l.available('a', 0)).toBe(false);
    expect(l.waitMs('a', 0)).toBe(1000);
    l.forget('a');
    expect(l.size).toBe(1);
    expect(l.take('a', 0)).toBe(true);
  });
});

describe('scheduler with a per-container rate limit (fake clock)', () => {
  it('a flooder past its rate is held; the neighbour is served in the same turn', () => {
    let now = 0;
    const limiter = new KeyedLimiter<string>({ perSecond: 1000, burst: 3 });
    const pending = new Map([['flood', 100], ['neighbour', 2]]);
    const order: string[] = [];
    const held: string[] = [];
    const turns: Array<() => void> = [];
    const s = new FairScheduler<string>({
      quantum: 2,
      serveOne: (k) => {
        if (!limiter.take(k, now)) {
          held.push(k);
          return 'held';
        }
        if ((pending.get(k) ?? 0) === 0) return 'empty';
        pending.set(k, pending.get(k)! - 1);
        order.push(k[0]!);
        return 'served';
      },
      schedule: (t) => turns.push(t),
    });
    s.ready('flood');
    s.ready('neighbour');
    while (turns.length) turns.shift()!();
    // flood spends its burst of 3 (2 in turn 1, 1 in turn 2, then held); the neighbour is untouched by it.
    expect(order.join('')).toBe('ffnnf');
    expect(held).toEqual(['flood']);
    now += limiter.waitMs('flood', now);
    s.ready('flood');
    while (turns.length) turns.shift()!();
    expect(order.join('')).toBe('ffnnff');
  });
});
