/** shim/metrics.ts: the Prometheus text exposition format of the daemons' counters. */
import { describe, expect, it } from 'vitest';
import { Counter, CounterOf, Gauge, Histogram, renderAll } from '../../../shim/metrics.js';

describe('Prometheus text', () => {
  it('counters by label set, escaped; an unused counter shows 0', () => {
    const c = new Counter('x_total', 'Things');
    expect(c.render()).toBe('# HELP x_total Things\n# TYPE x_total counter\nx_total 0\n');
    c.inc({ profile: 'a"b\\c', syscall: 'socket' });
    c.inc({ profile: 'a"b\\c', syscall: 'socket' });
    c.inc({ profile: 'p', syscall: 'execve' }, 3);
    expect(c.render()).toBe('# HELP x_total Things\n# TYPE x_total counter\nx_total{profile="a\\"b\\\\c",syscall="socket"} 2\nx_total{profile="p",syscall="execve"} 3\n');
    expect(c.get({ profile: 'p', syscall: 'execve' })).toBe(3);
  });

  it('histograms: cumulative buckets, +Inf equals the count, sum of the observations', () => {
    const h = new Histogram('lat_seconds', 'Latency', [0.001, 0.01, 0.1]);
    for (const v of [0.0005, 0.001, 0.005, 0.05, 2]) h.observe(v);
    expect(h.render()).toBe(
      [
        '# HELP lat_seconds Latency',
        '# TYPE lat_seconds histogram',
        'lat_seconds_bucket{le="0.001"} 2',
        'lat_seconds_bucket{le="0.01"} 3',
        'lat_seconds_bucket{le="0.1"} 4',
        'lat_seconds_bucket{le="+Inf"} 5',
        'lat_seconds_sum 2.0565',
        'lat_seconds_count 5',
        '',
      ].join('\n'),
    );
    const byCommand = new Histogram('req_seconds', 'Requests', [1]);
    byCommand.observe(0.5, { command: 'run' });
    expect(byCommand.render()).toContain('req_seconds_bucket{command="run",le="1"} 1\n');
    expect(byCommand.count({ command: 'run' })).toBe(1);
  });

  it('gauges and counters kept elsewhere are read at render', () => {
    let n = 1;
    const text = (): string => renderAll([new Gauge('open', 'Open now', () => n), new CounterOf('reloads_total', 'Reloads', () => n * 2)]);
    expect(text()).toBe('# HELP open Open now\n# TYPE open gauge\nopen 1\n# HELP reloads_total Reloads\n# TYPE reloads_total counter\nreloads_total 2\n');
    n = 4;
    expect(text()).toContain('open 4\n');
  });
});
