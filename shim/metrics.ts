/**
 * The daemons' counters, in the Prometheus text exposition format (version 0.0.4), served on a
 * root-only unix socket of each daemon (stats-socket.ts) and printed by `openclaw-runtime stats`.
 *
 * Why a command over a unix socket and not an HTTP endpoint: the agent and the service run as
 * root and must not listen where other local users, or the network, can reach them (the agent's
 * unit has PrivateNetwork=yes); Prometheus cannot scrape a unix socket directly, so
 * `openclaw-runtime stats > DIR/openclaw.prom` feeds node_exporter's textfile collector (or any
 * scraper run as root), and a person reads the same text.
 *
 * Kept small on purpose: counters and histograms are plain numbers updated on the hot path (no
 * allocation per observation), and label sets are bounded by what creates them (profiles x
 * system calls for denials, commands x outcomes for requests).
 */

type Labels = Record<string, string>;

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

function num(v: number): string {
  if (v === Infinity) return '+Inf';
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(12)));
}

export class Counter {
  private readonly values = new Map<string, { labels: Labels; value: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = JSON.stringify(labels);
    const v = this.values.get(key);
    if (v) v.value += by;
    else this.values.set(key, { labels, value: by });
  }

  get(labels: Labels = {}): number {
    return this.values.get(JSON.stringify(labels))?.value ?? 0;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    if (this.values.size === 0) lines.push(`${this.name} 0`);
    for (const { labels, value } of this.values.values()) lines.push(`${this.name}${labelText(labels)} ${num(value)}`);
    return `${lines.join('\n')}\n`;
  }
}

/** A gauge read when the text is rendered (listeners open now, ...). */
export class Gauge {
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly read: () => number,
  ) {}

  render(): string {
    return `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} gauge\n${this.name} ${num(this.read())}\n`;
  }
}

/** A counter kept elsewhere (e.g. ConfigWatch.reloads), read when the text is rendered. */
export class CounterOf {
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly read: () => number,
  ) {}

  render(): string {
    return `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} counter\n${this.name} ${num(this.read())}\n`;
  }
}

/** Fixed upper bounds in seconds; one histogram per label set. */
export class Histogram {
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly bounds: readonly number[],
  ) {}

  observe(seconds: number, labels: Labels = {}): void {
    const key = JSON.stringify(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { labels, counts: new Array<number>(this.bounds.length).fill(0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    // Cumulative buckets are computed at render; here only the first bucket that holds it.
    const i = this.bounds.findIndex((b) => seconds <= b);
    if (i >= 0) s.counts[i] = (s.counts[i] ?? 0) + 1;
    s.sum += seconds;
    s.count++;
  }

  count(labels: Labels = {}): number {
    return this.series.get(JSON.stringify(labels))?.count ?? 0;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    const all = this.series.size ? [...this.series.values()] : [{ labels: {}, counts: new Array<number>(this.bounds.length).fill(0), sum: 0, count: 0 }];
    for (const s of all) {
      let cumulative = 0;
      this.bounds.forEach((b, i) => {
        cumulative += s.counts[i] ?? 0;
        lines.push(`${this.name}_bucket${labelText({ ...s.labels, le: num(b) })} ${cumulative}`);
      });
      lines.push(`${this.name}_bucket${labelText({ ...s.labels, le: '+Inf' })} ${s.count}`);
      lines.push(`${this.name}_sum${labelText(s.labels)} ${num(s.sum)}`);
      lines.push(`${this.name}_count${labelText(s.labels)} ${s.count}`);
    }
    return `${lines.join('\n')}\n`;
  }
}

/** Seconds: the agent answers in tens of microseconds, a merge takes milliseconds. */
export const LATENCY_BUCKETS: readonly number[] = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

export interface Metric {
  render(): string;
}

export function renderAll(metrics: readonly Metric[]): string {
  return metrics.map((m) => m.render()).join('');
}
