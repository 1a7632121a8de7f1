/**
 * What a container gets for one call under a compiled linux.seccomp with its agent, for the
 * calls the agent answers the same in every phase: the kernel's verdict (seccomp/evaluate.ts),
 * and for a SCMP_ACT_NOTIFY that is one of the filter's own denials (metadata filterDenials,
 * decide.ts filterDenial) the errno the agent answers. Other notified calls (runc's init, exec,
 * write gating) depend on the listener's state and stay `notify` here.
 * Used by tests and tools that reason about a filter's meaning; the agent itself runs decide().
 */
import type { SpecSeccomp } from '../oci/types.js';
import { evaluate, type Verdict } from '../seccomp/evaluate.js';
import { comparisonHolds, filterDenial } from './decide.js';
import { FilterDenialsSchema } from './metadata.js';

/** The filterDenials table of a filter's listenerMetadata, if it has one. */
export function filterDenialsOf(spec: SpecSeccomp): ReturnType<typeof FilterDenialsSchema.parse> | undefined {
  if (!spec.listenerPath || !spec.listenerMetadata) return undefined;
  try {
    const raw = (JSON.parse(spec.listenerMetadata) as { filterDenials?: unknown }).filterDenials;
    const r = FilterDenialsSchema.safeParse(raw);
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

type AuditMeta = { conditional?: Record<string, { denied: Array<Array<[number, string, string, string]>> }> };

/** The audit table of a filter's listenerMetadata, when the agent is in audit mode. */
export function auditModeOf(spec: SpecSeccomp): AuditMeta | undefined {
  if (!spec.listenerPath || !spec.listenerMetadata) return undefined;
  try {
    return (JSON.parse(spec.listenerMetadata) as { audit?: AuditMeta }).audit;
  } catch {
    return undefined;
  }
}

/**
 * In audit mode a filter denial is `log`: the agent logs it ("would deny") and lets it run; a
 * call sent whole for audit is `log` where the filter denies it and `allow` elsewhere.
 */
export function verdictWithAgent(spec: SpecSeccomp, arch: string, name: string, args: readonly bigint[]): Verdict {
  const v = evaluate(spec, arch, name, args);
  if (v.action !== 'notify') return v;
  const audit = auditModeOf(spec);
  const cond = audit?.conditional && Object.hasOwn(audit.conditional, name) ? audit.conditional[name] : undefined;
  if (cond) return { action: cond.denied.some((t) => t.every((a) => comparisonHolds(a, args))) ? 'log' : 'allow' };
  const fd = filterDenialsOf(spec);
  const d = fd && filterDenial(name, { errno: 1, writable: [], filterDenials: fd });
  if (d && audit) return { action: 'log' };
  return d ? { action: 'errno', errno: d.errno } : v;
}
