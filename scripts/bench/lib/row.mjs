/** One line of the results table: a subject measured against a baseline in the same run. */
import { summarize } from './stats.mjs';

export function row({ caseId, measure, unit, baseline, subject, others = [], target, note }) {
  const b = summarize(baseline.label, baseline.values, baseline.failures);
  const s = summarize(subject.label, subject.values, subject.failures);
  return {
    case: caseId,
    measure,
    unit,
    baseline: b,
    subject: s,
    others: others.map((o) => summarize(o.label, o.values, o.failures)),
    ratio: s.median / b.median,
    target,
    met: target === undefined || !Number.isFinite(s.median / b.median) ? undefined : s.median / b.median <= target,
    note,
  };
}

/** From alternate()'s map. */
export function pick(samples, label) {
  const s = samples.get(label);
  return { label, values: s.values, failures: s.failures };
}
