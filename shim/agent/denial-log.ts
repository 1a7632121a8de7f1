/**
 * The denial audit: one JSON line per denied call, appended to agent.denial_log, and the
 * readable form `openclaw-runtime denials` prints. A profile author reads this when a
 * workload breaks: which container, which call, which path.
 *
 * Bounded, because a container decides how often it is denied:
 *  - per container, a token bucket of lines (rate-limit.ts); past it, lines are counted and
 *    one summary line per container says how many were left out and when;
 *  - overall, the file is size-capped and rotated to FILE.1 .. FILE.<keep>, and written
 *    asynchronously with a bounded queue: log-rotate.ts (the same writer as the daemons' logs).
 *
 * NOTE when adding a field to DenialEntry also update formatDenial and denial-report.ts formatEntry (what `denials` prints).
 */
import { readFileSync } from 'node:fs';
import { KeyedLimiter, type RateLimit } from './rate-limit.js';
import { RotatingFile } from '../log-rotate.js';

export interface DenialEntry {
  time: string;
  container: string;
  pid: number;
  profile: string;
  syscall: string;
  /**
   * `audit`: the profile is in audit mode and the call was allowed; errno, reason and rule say
   * what enforcement would have answered ("audit: would deny" in `denials`).
   */
  decision: 'deny' | 'audit';
  errno: number;
  reason: string;
  /** Audit mode only: the filter would have killed or trapped rather than answered errno. */
  action?: 'kill-process' | 'kill-thread' | 'trap';
  /** Short argument summary: the path where there is one, flags in hex. */
  args: string;
  /** The profile field that denied it, relative to spec.isolation.syscallFilter (filter denials). */
  rule?: string;
  /** A summary line: this many denials of the container were not logged one by one. */
  suppressed?: number;
}

export interface DenialLogOptions {
  file: string;
  /** Rotate when the file would grow past this (default 8 MiB). */
  maxBytes?: number;
  /** Rotated files kept: FILE.1 (newest) .. FILE.keep (default 3). */
  keep?: number;
  /** Lines per container (default 20/s, burst 200). */
  perContainer?: RateLimit;
  /** Most bytes waiting to be written (default 1 MiB). */
  maxQueuedBytes?: number;
  /** Milliseconds (default Date.now); tests pass a fake clock. */
  now?: () => number;
  /** Where write failures are reported (the agent's own log). */
  onError?: (msg: string) => void;
  /** Awaited before each write: the agent re-reads a changed config there (agent.denial_log may move). */
  beforeWrite?: () => Promise<void>;
}

export const DENIAL_LOG_DEFAULTS = { maxBytes: 8 << 20, keep: 3, perContainer: { perSecond: 20, burst: 200 }, maxQueuedBytes: 1 << 20 } as const;

interface Suppressed {
  count: number;
  first: string;
  last: string;
  profile: string;
}

export class DenialLog {
  private readonly now: () => number;
  private readonly lines: KeyedLimiter<string>;
  private readonly suppressed = new Map<string, Suppressed>();
  private readonly out: RotatingFile;

  constructor(opts: DenialLogOptions) {
    this.now = opts.now ?? Date.now;
    this.lines = new KeyedLimiter(opts.perContainer ?? DENIAL_LOG_DEFAULTS.perContainer);
    this.out = new RotatingFile({
      file: opts.file,
      maxBytes: opts.maxBytes ?? DENIAL_LOG_DEFAULTS.maxBytes,
      keep: opts.keep ?? DENIAL_LOG_DEFAULTS.keep,
      maxQueuedBytes: opts.maxQueuedBytes ?? DENIAL_LOG_DEFAULTS.maxQueuedBytes,
      dropNote: (dropped) =>
        `${JSON.stringify({ time: new Date(this.now()).toISOString(), container: '*', pid: 0, profile: '*', syscall: '*', decision: 'deny', errno: 0, reason: `denial log queue full: ${dropped} denials not logged`, args: '', suppressed: dropped } satisfies DenialEntry)}\n`,
      beforeWrite: opts.beforeWrite,
      onError: (msg) => opts.onError?.(`denial log ${msg}`),
    });
  }

  /** The file written now. */
  get file(): string {
    return this.out.path;
  }

  /** Later lines go to `file` (a config reload moved agent.denial_log). */
  setFile(file: string): void {
    this.out.setFile(file);
  }

  /** Logs the entry, or counts it when its container is past its line rate. */
  record(entry: DenialEntry): void {
    const now = this.now();
    if (!this.lines.take(entry.container, now)) {
      const s = this.suppressed.get(entry.container);
      if (s) {
        s.count++;
        s.last = entry.time;
      } else {
        this.suppressed.set(entry.container, { count: 1, first: entry.time, last: entry.time, profile: entry.profile });
      }
      return;
    }
    this.emitSummary(entry.container);
    this.enqueue(entry);
  }

  /** Writes the summaries of containers that have a line to spend again (the agent calls this every second). */
  tick(): void {
    const now = this.now();
    for (const container of [...this.suppressed.keys()]) {
      if (this.lines.take(container, now)) this.emitSummary(container);
    }
  }

  /** The container is gone: its summary is written now and its bucket forgotten. */
  containerGone(container: string): void {
    this.emitSummary(container);
    this.lines.forget(container);
  }

  /** Resolves when everything recorded so far is written (tests, and stop()). */
  flush(): Promise<void> {
    return this.out.flush();
  }

  private emitSummary(container: string): void {
    const s = this.suppressed.get(container);
    if (!s) return;
    this.suppressed.delete(container);
    this.enqueue({
      time: new Date(this.now()).toISOString(),
      container,
      pid: 0,
      profile: s.profile,
      syscall: '*',
      decision: 'deny',
      errno: 0,
      reason: `rate limit: ${s.count} further denials not logged (${s.first} .. ${s.last})`,
      args: '',
      suppressed: s.count,
    });
  }

  private enqueue(entry: DenialEntry): void {
    this.out.append(`${JSON.stringify(entry)}\n`);
  }
}

/** The log and its rotated files, oldest first, as one text (what `denials` reads). */
export function readDenialLogText(file: string, keep: number = DENIAL_LOG_DEFAULTS.keep): string {
  const parts: string[] = [];
  for (let i = keep; i >= 1; i--) {
    try {
      parts.push(readFileSync(`${file}.${i}`, 'utf8'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  parts.push(readFileSync(file, 'utf8'));
  return parts.join('');
}

/** Parses the log text; malformed lines are skipped (a crash may leave half a line). */
export function parseDenials(text: string): DenialEntry[] {
  const out: DenialEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const v = JSON.parse(line) as DenialEntry;
      if (typeof v.container === 'string' && typeof v.syscall === 'string') out.push(v);
    } catch {
      // skip
    }
  }
  return out;
}

/** `2024-05-01T10:00:00.000Z  abc123  pid 4242  execve  EPERM  execve after the first execve  path="/bin/sh"` */
export function formatDenial(e: DenialEntry, errnoName: (n: number) => string = (n) => `errno ${n}`): string {
  if (e.suppressed !== undefined) return [e.time, e.container, e.reason].filter(Boolean).join('  ');
  const answer = e.action ?? errnoName(e.errno);
  return [e.time, e.container, `pid ${e.pid}`, e.syscall, answer, e.decision === 'audit' ? `audit: would deny (${e.reason}); allowed` : e.reason, e.args].filter(Boolean).join('  ');
}
