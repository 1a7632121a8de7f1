/**
 * The one log format of openclaw-runtime's own logs: JSON lines with runc's three keys first,
 * `{"level","msg","time",...}` (the format runc writes to `--log` with `--log-format json`,
 * which containerd reads; log.ts keeps that file to exactly those keys), then fields of our own
 * (`daemon`, `pid`, and what the line is about: `container`, `config`, ...).
 *
 * Used by the long-lived processes, the seccomp agent and the resident service: with a file
 * (the on-demand starts give `--log-file`: `<agent socket dir>/seccomp-agent.log`,
 * `<service dir>/service.log`) through log-rotate.ts, size-capped and rotated like the denial
 * log; without one (systemd units) to stderr, one line per write, for the journal. The level
 * is `[log] level` of the config, re-read on reload (config/watch.ts).
 */
import { RotatingFile } from './log-rotate.js';
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/** 4 MiB x (1 + 3 rotated): a daemon's messages are per container start, not per call. */
export const DAEMON_LOG_DEFAULTS = { maxBytes: 4 << 20, keep: 3, maxQueuedBytes: 1 << 20 } as const;

/** One line: level, msg, time first (runc's order), then the rest; a field may not replace those three. */
export function formatLogLine(level: LogLevel, msg: string, fields: Record<string, unknown> = {}, now: Date = new Date()): string {
  const { level: _l, msg: _m, time: _t, ...rest } = fields;
  return `${JSON.stringify({ level, msg, time: now.toISOString(), ...rest })}\n`;
}

export interface DaemonLogOptions {
  /** `agent` or `service`: every line carries it. */
  daemon: string;
  /** The file to write (rotated); none: stderr. */
  file?: string;
  level?: LogLevel;
  maxBytes?: number;
  keep?: number;
  /** Where lines go without a file (default: process.stderr). */
  write?: (line: string) => void;
  now?: () => Date;
}

export class DaemonLog {
  private level: LogLevel;
  private readonly out: RotatingFile | undefined;
  private readonly write: (line: string) => void;
  private readonly now: () => Date;

  constructor(private readonly opts: DaemonLogOptions) {
    this.level = opts.level ?? 'info';
    this.now = opts.now ?? (() => new Date());
    this.write = opts.write ?? ((line) => process.stderr.write(line));
    this.out = opts.file
      ? new RotatingFile({
          file: opts.file,
          maxBytes: opts.maxBytes ?? DAEMON_LOG_DEFAULTS.maxBytes,
          keep: opts.keep ?? DAEMON_LOG_DEFAULTS.keep,
          maxQueuedBytes: DAEMON_LOG_DEFAULTS.maxQueuedBytes,
          dropNote: (n) => formatLogLine('warn', `log queue full: ${n} lines not logged`, { daemon: opts.daemon, pid: process.pid }, this.now()),
          // The log cannot report its own failures to itself.
          onError: (msg) => process.stderr.write(formatLogLine('error', `log: ${msg}`, { daemon: opts.daemon, pid: process.pid }, this.now())),
        })
      : undefined;
  }

  get file(): string | undefined {
    return this.out?.path;
  }

  setLevel(level: LogLevel): void {
    this.level = level;
  }

  enabled(level: LogLevel): boolean {
    return RANK[level] <= RANK[this.level];
  }

  log(level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void {
    if (!this.enabled(level)) return;
    const line = formatLogLine(level, msg, { daemon: this.opts.daemon, pid: process.pid, ...fields }, this.now());
    if (this.out) this.out.append(line);
    else this.write(line);
  }

  /** Resolves when every line so far is written (before exit). */
  flush(): Promise<void> {
    return this.out?.flush() ?? Promise.resolve();
  }
}
