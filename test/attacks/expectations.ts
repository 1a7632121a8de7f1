/**
 * Expected outcomes as data: expectations/<row>.json maps every probe to an outcome class or
 * an exact result token. Pure checking here; the files are read by loadExpectations().
 *
 * File format:
 *   { "row": "<id>", "description": "...", "status": "checked" | "draft",
 *     "probes": { "<probe>": "<expect>" | { "expect": "<expect>", "agent": true, "note": "..." } } }
 * "agent": true marks outcomes that only the seccomp agent can give (exec after start and
 * write-opens: a static filter would also stop runc's own fifo open and the entrypoint's execve).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProbeResult } from './probe-output.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/** NOTE when adding a class, document it in expectations/README.md. */
export const CLASSES: Record<string, (r: ProbeResult) => boolean> = {
  /** The call worked, or reached the kernel (which refused only our deliberately harmless arguments). */
  allowed: (r) => r.kind === 'ok' || r.kind === 'reached',
  /** Refused with an errno: seccomp, missing capability, read-only mount, a limit. */
  blocked: (r) => r.kind === 'errno',
  /** The process died from a signal (SIGSYS: seccomp kill; SIGKILL: OOM). */
  killed: (r) => r.kind === 'killed',
  /** blocked or killed: whatever stopped it, it did not happen. */
  stopped: (r) => r.kind === 'errno' || r.kind === 'killed',
  enosys: (r) => r.kind === 'errno' && r.value === 'ENOSYS',
  /** Informational: any answer the probe gave. */
  any: (r) => r.kind !== 'missing' && r.kind !== 'timeout',
};

export interface Expectation {
  expect: string;
  agent?: boolean;
  note?: string;
}

export interface ExpectationFile {
  row: string;
  description: string;
  status: 'checked' | 'draft';
  probes: Record<string, Expectation>;
}

export function normalize(raw: { row: string; description: string; status?: string; probes: Record<string, string | Expectation> }): ExpectationFile {
  const probes: Record<string, Expectation> = {};
  for (const [name, e] of Object.entries(raw.probes)) probes[name] = typeof e === 'string' ? { expect: e } : e;
  return { row: raw.row, description: raw.description, status: raw.status === 'draft' ? 'draft' : 'checked', probes };
}

export function loadExpectations(row: string): ExpectationFile {
  const file = join(HERE, 'expectations', `${row}.json`);
  return normalize(JSON.parse(readFileSync(file, 'utf8')));
}

/** An expectation is a class name or an exact result token such as "reached=ENETUNREACH". */
export function matches(expect: string, r: ProbeResult): boolean {
  const cls = CLASSES[expect];
  return cls ? cls(r) : r.token === expect;
}

export function isValidExpect(expect: string): boolean {
  return expect in CLASSES || /^(ok|(reached|errno)=E[A-Z0-9]+|killed=SIG[A-Z0-9]+)$/.test(expect);
}

export interface Mismatch {
  probe: string;
  expected: string;
  got: string;
}

/** Every probe checked, in probe order; probes without an expectation are mismatches too. */
export function compare(exp: ExpectationFile, results: Map<string, ProbeResult>): Mismatch[] {
  const out: Mismatch[] = [];
  for (const [name, r] of results) {
    const e = exp.probes[name];
    if (!e) out.push({ probe: name, expected: '(no expectation)', got: r.token });
    else if (!matches(e.expect, r)) out.push({ probe: name, expected: e.expect, got: formatResult(r) });
  }
  return out;
}

export function formatResult(r: ProbeResult): string {
  const keep = ['n', 'mb', 'target', 'stage', 'path', 'stderr'];
  const extra = keep.filter((k) => k in r.detail).map((k) => `${k}=${r.detail[k]}`);
  return [r.token, ...extra].join(' ');
}
