/**
 * Token buckets on an injected clock (milliseconds), pure, so the limits are table-tested
 * with a fake clock. The agent keeps one per container for the notifications it serves (a
 * container past its rate waits, its calls held in the kernel, while its neighbours are
 * served) and one per container for denial-log lines (past it, lines are counted and
 * summarised).
 */

export interface RateLimit {
  /** Tokens added per second. */
  perSecond: number;
  /** Most tokens held (the burst a quiet container may spend at once). */
  burst: number;
}

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly limit: RateLimit,
    now: number,
  ) {
    if (!(limit.perSecond > 0) || !(limit.burst >= 1)) throw new RangeError('rate limit needs perSecond > 0 and burst >= 1');
    this.tokens = limit.burst;
    this.last = now;
  }

  private refill(now: number): void {
    if (now > this.last) {
      this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.last) * this.limit.perSecond) / 1000);
      this.last = now;
    }
  }

  /** Whether a token is there now (takes none). */
  available(now: number): boolean {
    this.refill(now);
    return this.tokens >= 1;
  }

  /** Takes one token if there is one. */
  take(now: number): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds from now until a token is there (0 when one is). */
  waitMs(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) * 1000) / this.limit.perSecond);
  }
}

/** One bucket per key, created full on first use; forget() drops a key that is gone. */
export class KeyedLimiter<K> {
  private readonly buckets = new Map<K, TokenBucket>();

  constructor(private readonly limit: RateLimit) {}

  private bucket(key: K, now: number): TokenBucket {
    let b = this.buckets.get(key);
    if (b === undefined) {
      b = new TokenBucket(this.limit, now);
      this.buckets.set(key, b);
    }
    return b;
  }

  available(key: K, now: number): boolean {
    return this.bucket(key, now).available(now);
  }

  take(key: K, now: number): boolean {
    return this.bucket(key, now).take(now);
  }

  waitMs(key: K, now: number): number {
    return this.bucket(key, now).waitMs(now);
  }

  forget(key: K): void {
    this.buckets.delete(key);
  }

  get size(): number {
    return this.buckets.size;
  }
}
