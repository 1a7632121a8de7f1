/** The markdown table (stdout) and the JSON record (results/latest.json). */
import { execFileSync } from 'node:child_process';
import { cpus, release, totalmem, loadavg } from 'node:os';

const fmt = (v, unit) => (Number.isFinite(v) ? (unit === 'ns/op' ? v.toFixed(0) : v < 10 ? v.toFixed(2) : v.toFixed(1)) : '-');
const cell = (s, unit) => (s.n === 0 ? `- (${s.failures} failed)` : `${fmt(s.median, unit)} (${fmt(s.p90, unit)})${s.failures ? `, ${s.failures} failed` : ''}`);

export function markdown(results) {
  const lines = [
    '| case | measure | baseline: median (p90) | openclaw: median (p90) | ratio | target | notes |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of results.rows) {
    const others = r.others.map((o) => `${o.label} ${cell(o, r.unit)}`).join('; ');
    const met = r.met === undefined ? '' : r.met ? ' ok' : ' MISSED';
    lines.push(
      `| ${r.case} | ${r.measure} [${r.unit}] | ${r.baseline.label} ${cell(r.baseline, r.unit)} | ${r.subject.label} ${cell(r.subject, r.unit)} | ${Number.isFinite(r.ratio) ? `${r.ratio.toFixed(2)}x` : '-'} | ${r.target === undefined ? '' : `<= ${r.target}x${met}`} | ${[others, r.note].filter(Boolean).join('; ')} |`,
    );
  }
  const oneLine = (t) => String(t).replace(/\s+/g, ' ').replace(/\|/g, '/').trim();
  for (const s of results.skipped) lines.push(`| ${s.case} | ${s.title} | | | | | skipped: ${oneLine(s.reason)} |`);
  if (results.breakdown.length > 0) {
    lines.push('', '| create through the shim, phase | median ms (p90) |', '|---|---|');
    for (const b of results.breakdown) lines.push(`| ${b.phase} | ${fmt(b.median, 'ms')} (${fmt(b.p90, 'ms')}) |`);
  }
  return lines.join('\n');
}

export function machine() {
  const version = (bin, args) => {
    try {
      return execFileSync(bin, args, { encoding: 'utf8' }).split('\n')[0].trim();
    } catch {
      return undefined;
    }
  };
  return {
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    runc: version('runc', ['--version']),
    docker: version('docker', ['--version']),
    // 1/5/15-minute load averages when the run started: on a shared machine they say how far
    // the medians can be trusted (a loaded 2-core machine moves runc's own cycle 37 -> 170 ms).
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}
