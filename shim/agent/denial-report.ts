/**
 * The readable forms of the denial log (`openclaw-runtime denials`): one entry with its rule
 * and a hint to widen the profile, and `--summary`: one container's denials grouped by call.
 * Pure: the command reads the log and resolves profile names to files.
 */
import type { DenialEntry } from './denial-log.js';
import { ruleField, widenHint } from './explain.js';

export interface ReportContext {
  errnoName: (n: number) => string;
  /** The profile's file for a hint, else its name (the agent logs names). */
  profileFile: (profile: string) => string;
}

const OCI_ACTION_NAMES = { 'kill-process': 'SCMP_ACT_KILL_PROCESS', 'kill-thread': 'SCMP_ACT_KILL_THREAD', trap: 'SCMP_ACT_TRAP' } as const;

/** The answer enforcement gives (or would give): an errno name, or the filter's kill/trap action. */
export function answerOf(e: DenialEntry, errnoName: (n: number) => string): string {
  return e.action ? OCI_ACTION_NAMES[e.action] : errnoName(e.errno);
}

/**
 * What happened, with the field: `denied by the filter (spec...blacklist[3])`, or for a call
 * audit mode let through `audit: would deny (denied by the filter, spec...blacklist[3]); allowed`.
 */
export function verdictOf(e: { decision?: string; reason: string; rule?: string }): string {
  const field = ruleField(e.rule);
  if (e.decision === 'audit') return `audit: would deny (${e.reason}${field ? `, ${field}` : ''}); allowed`;
  return field ? `${e.reason} (${field})` : e.reason;
}

/** The hint line for an entry (none for rate-limit summaries). */
export function hintOf(e: DenialEntry, ctx: ReportContext): string | undefined {
  if (e.suppressed !== undefined) return undefined;
  return widenHint({ syscall: e.syscall, ...(e.rule === undefined ? {} : { rule: e.rule }), reason: e.reason, args: e.args, profile: ctx.profileFile(e.profile) });
}

/**
 * `TIME  ID  pid N  profile P  SYSCALL  ERRNO  REASON [FIELD]  ARGS` and, indented under it,
 * `hint: ...`.
 */
export function formatEntry(e: DenialEntry, ctx: ReportContext): string {
  if (e.suppressed !== undefined) return [e.time, e.container, e.reason].filter(Boolean).join('  ');
  const line = [e.time, e.container, `pid ${e.pid}`, `profile ${e.profile}`, e.syscall, answerOf(e, ctx.errnoName), verdictOf(e), e.args].filter(Boolean).join('  ');
  const hint = hintOf(e, ctx);
  return hint ? `${line}\n    hint: ${hint}` : line;
}

export interface SummaryRow {
  syscall: string;
  /** `audit`: lines of calls audit mode let through. */
  decision: DenialEntry['decision'];
  action?: DenialEntry['action'];
  errno: number;
  reason: string;
  rule?: string;
  count: number;
  first: string;
  last: string;
  /** One entry's decoded arguments per distinct value, at most MAX_EXAMPLES. */
  examples: string[];
  hint?: string;
}

const MAX_EXAMPLES = 3;

/**
 * Entries grouped by (syscall, errno, rule, reason), most frequent first; rate-limit lines
 * add to `suppressed` (they do not say which call they left out).
 */
export function summarize(entries: readonly DenialEntry[], ctx: ReportContext): { rows: SummaryRow[]; suppressed: number; profiles: string[] } {
  const rows = new Map<string, SummaryRow>();
  let suppressed = 0;
  const profiles = new Set<string>();
  for (const e of entries) {
    if (e.suppressed !== undefined) {
      suppressed += e.suppressed;
      continue;
    }
    profiles.add(e.profile);
    const key = `${e.syscall}\0${e.decision}\0${e.action ?? ''}\0${e.errno}\0${e.rule ?? ''}\0${e.reason}`;
    const row = rows.get(key);
    if (row) {
      row.count++;
      row.last = e.time;
      if (row.examples.length < MAX_EXAMPLES && e.args && !row.examples.includes(e.args)) row.examples.push(e.args);
      continue;
    }
    const hint = hintOf(e, ctx);
    rows.set(key, {
      syscall: e.syscall,
      decision: e.decision,
      ...(e.action === undefined ? {} : { action: e.action }),
      errno: e.errno,
      reason: e.reason,
      ...(e.rule === undefined ? {} : { rule: e.rule }),
      count: 1,
      first: e.time,
      last: e.time,
      examples: e.args ? [e.args] : [],
      ...(hint ? { hint } : {}),
    });
  }
  const sorted = [...rows.values()].sort((a, b) => b.count - a.count || (a.syscall < b.syscall ? -1 : a.syscall > b.syscall ? 1 : 0));
  return { rows: sorted, suppressed, profiles: [...profiles].sort() };
}

/** The summary as text: a header, one block per row, the rate-limited count. */
export function formatSummary(id: string, entries: readonly DenialEntry[], ctx: ReportContext): string {
  const { rows, suppressed, profiles } = summarize(entries, ctx);
  const total = rows.reduce((n, r) => n + r.count, 0);
  const audited = rows.reduce((n, r) => n + (r.decision === 'audit' ? r.count : 0), 0);
  const auditNote = audited > 0 ? ` (${audited === total ? 'all' : audited} audit: would deny, allowed)` : '';
  const out = [`${id}: ${total} denials logged${auditNote}${suppressed > 0 ? ` (+${suppressed} not logged one by one: rate limit)` : ''}, ${rows.length} kinds${profiles.length > 0 ? `, profile ${profiles.join(', ')}` : ''}`];
  for (const r of rows) {
    out.push(`${String(r.count).padStart(6)}  ${r.syscall}  ${answerOf({ ...r, time: '', container: '', pid: 0, profile: '', args: '' }, ctx.errnoName)}  ${verdictOf(r)}`);
    for (const ex of r.examples) out.push(`        e.g. ${ex}`);
    if (r.hint) out.push(`        hint: ${r.hint}`);
  }
  return out.join('\n');
}

/**
 * What `denials` says when it has nothing to show: which filter denials can be in the log under
 * this config, and, when `default`'s are not, the switch that puts them there.
 */
export function unloggedNote(logFilterDenials: boolean, configFile: string): string {
  const notLogged = 'ENOSYS answers, kill actions and some argument-conditional denials are never logged (docs/seccomp-agent.md, "Which denials are logged")';
  if (logFilterDenials) {
    return `[agent] log_filter_denials is on in ${configFile}: the filter denials of every container created since then are logged, under every profile; ${notLogged}. A container with none made no call the log can show, or was created before the switch.`;
  }
  return `Only containers under a profile with the seccomp agent (smythos-alternative, model-backend: profiles whose filter needs it) log the denials of their syscall filter; under one without the agent (default) the kernel answers them and nothing is logged. To log them too, the host's admin sets log_filter_denials = true under [agent] in ${configFile} (each such container then connects to the agent at create; docs/seccomp-agent.md has the cost) and the job is re-run; or trace it (strace -f -e trace=%all) to see its failing calls.`;
}
