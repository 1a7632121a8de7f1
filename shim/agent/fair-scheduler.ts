/**
 * Fair service across the agent's listeners (one per process runc starts). The agent is one
 * thread serving every container; if it drained one listener's queue before looking at the
 * next, a container whose threads notify in a loop would hold every other container's calls
 * for as long as it liked. Instead, listeners with pending notifications wait in a ring, and
 * each turn serves each of them at most `quantum` notifications, in ring order; one that
 * still has work goes to the back. Between turns the event loop runs (new connections, new
 * readiness), so a neighbour that becomes ready waits at most about one turn.
 *
 * Pure bookkeeping: what "serve one" means, and when a turn runs, are the caller's.
 */

/** served: one handled; empty: nothing pending (the key leaves the ring); held: not now (rate limit; the key leaves the ring until ready() again). */
export type ServeOutcome = 'served' | 'empty' | 'held';

export interface FairSchedulerOptions<K> {
  /** Most items one key is served per turn. */
  quantum: number;
  serveOne(key: K): ServeOutcome;
  /** A key left the ring because it had nothing pending (the agent re-arms its poller). */
  onIdle?(key: K): void;
  /** Run `turn` soon (the agent: setImmediate, after the loop's pending I/O). */
  schedule(turn: () => void): void;
}

export class FairScheduler<K> {
  private ring: K[] = [];
  private readonly queued = new Set<K>();
  private scheduled = false;

  constructor(private readonly opts: FairSchedulerOptions<K>) {
    if (!(opts.quantum >= 1)) throw new RangeError('quantum must be >= 1');
  }

  /** The key has work: join the back of the ring (no-op when already in it). */
  ready(key: K): void {
    if (!this.queued.has(key)) {
      this.queued.add(key);
      this.ring.push(key);
    }
    this.ensureScheduled();
  }

  /** The key is gone (its listener closed). */
  remove(key: K): void {
    if (this.queued.delete(key)) this.ring = this.ring.filter((k) => k !== key);
  }

  /** Keys waiting, in service order (for tests and status). */
  waiting(): K[] {
    return [...this.ring];
  }

  /** One turn: each key in the ring, in order, up to quantum items. */
  runTurn(): void {
    this.scheduled = false;
    const turn = this.ring;
    this.ring = [];
    for (const key of turn) {
      if (!this.queued.has(key)) continue;
      let served = 0;
      let outcome: ServeOutcome = 'served';
      while (served < this.opts.quantum) {
        outcome = this.opts.serveOne(key);
        if (outcome !== 'served') break;
        served++;
      }
      if (!this.queued.has(key)) continue; // removed while being served
      if (outcome === 'served') {
        this.ring.push(key); // used its quantum: maybe more, back of the line
      } else {
        this.queued.delete(key);
        if (outcome === 'empty') this.opts.onIdle?.(key);
      }
    }
    if (this.ring.length > 0) this.ensureScheduled();
  }

  private ensureScheduled(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.opts.schedule(() => this.runTurn());
  }
}
