/**
 * Parses the probe's machine-readable lines (format documented at the top of probe.c).
 * Pure: text in, results out. A probe that printed nothing gets its result from how its
 * process ended, which only the caller knows (synthesize()).
 */
import { constants } from 'node:os';

/** NOTE when adding a result kind in probe.c, also add it here and to CLASSES in expectations.ts. */
export const RESULT_KINDS = ['ok', 'reached', 'errno', 'killed', 'exit', 'timeout', 'skip', 'missing'] as const;
export type ResultKind = (typeof RESULT_KINDS)[number];

export interface ProbeResult {
  name: string;
  kind: ResultKind;
  /** ERRNO name for reached/errno, SIGNAME for killed, exit code for exit. */
  value?: string;
  /** key=value pairs after the result: n=, mb=, target=, stage=, path=... */
  detail: Record<string, string>;
  /** The result token as printed, e.g. "errno=EPERM" or "ok". */
  token: string;
}

const LINE = /^PROBE (\S+) (\S+)(.*)$/;
const PROGRESS = /^PROBE-PROGRESS (\S+)(.*)$/;

function parseDetail(rest: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const word of rest.trim().split(/\s+/)) {
    if (!word) continue;
    const eq = word.indexOf('=');
    if (eq < 0) out[word] = '';
    else out[word.slice(0, eq)] = word.slice(eq + 1);
  }
  return out;
}

export function parseToken(name: string, token: string, rest = ''): ProbeResult {
  const eq = token.indexOf('=');
  const head = eq < 0 ? token : token.slice(0, eq);
  const kind = (RESULT_KINDS as readonly string[]).includes(head) ? (head as ResultKind) : 'exit';
  const value = eq < 0 ? undefined : token.slice(eq + 1);
  return { name, kind, ...(value === undefined ? {} : { value }), detail: parseDetail(rest), token };
}

export interface ParsedOutput {
  results: Map<string, ProbeResult>;
  /** Last PROBE-PROGRESS detail per probe: how far a resource probe got before it died. */
  progress: Map<string, Record<string, string>>;
  /** Set when the battery stopped because fork is denied (the caller must use --one). */
  forkDenied?: string;
}

export function parseProbeOutput(stdout: string): ParsedOutput {
  const results = new Map<string, ProbeResult>();
  const progress = new Map<string, Record<string, string>>();
  let forkDenied: string | undefined;
  for (const line of stdout.split('\n')) {
    const m = LINE.exec(line);
    if (m) {
      results.set(m[1]!, parseToken(m[1]!, m[2]!, m[3]));
      continue;
    }
    const p = PROGRESS.exec(line);
    if (p) {
      progress.set(p[1]!, parseDetail(p[2] ?? ''));
      continue;
    }
    if (line.startsWith('PROBE-BATTERY fork-denied')) forkDenied = line;
  }
  return { results, progress, ...(forkDenied ? { forkDenied } : {}) };
}

const SIGNAL_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(constants.signals).map(([name, num]) => [num, name]),
);

/**
 * A --one probe that printed nothing: read the container's end from runc's exit status
 * (runc run returns 128+N when the container's process died from signal N).
 */
export function synthesize(
  name: string,
  exit: { code: number | null; timedOut: boolean },
  progress: Record<string, string> = {},
): ProbeResult {
  if (exit.timedOut) return { name, kind: 'timeout', detail: progress, token: 'timeout' };
  const code = exit.code ?? -1;
  if (code > 128 && SIGNAL_NAMES[code - 128]) {
    const sig = SIGNAL_NAMES[code - 128]!;
    return { name, kind: 'killed', value: sig, detail: progress, token: `killed=${sig}` };
  }
  return { name, kind: 'missing', value: String(code), detail: progress, token: `missing(exit=${code})` };
}
