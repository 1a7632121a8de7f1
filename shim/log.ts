/**
 * Where the shim's messages go. Docker and containerd show a runtime's error only from the
 * `--log` file runc was given (the last line with level "error"), so every failure is
 * written there in runc's own format (logrus JSON or text, per --log-format) and to stderr.
 * Nothing is ever written to stdout: it belongs to runc (`state`, `features`, ...).
 *
 * The optional debug log (config `log.file`) goes through winston, loaded only when a file
 * is configured, so the common path does not pay for it. Its lines are the daemons' format
 * (daemon-log.ts: `{"level","msg","time",...}`) and its file is size-capped and rotated by the
 * same writer (log-rotate.ts). Each create is a process of its own appending to that file: two
 * that rotate at the same moment can drop one rotated file's lines (rotation is a rename each,
 * not a lock); the daemons' logs have one writer each and cannot.
 */
import { appendFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import type { Logger } from 'winston';
import { DAEMON_LOG_DEFAULTS, formatLogLine, type LogLevel } from './daemon-log.js';
import { RotatingFile } from './log-rotate.js';


export interface RuntimeLogTarget {
  /** runc's --log file, if the caller gave one. */
  file?: string;
  /** runc's --log-format: json or text (runc's default). */
  format?: string;
}

/** One line in runc's log format. Exported for tests. */
export function formatRuncLogLine(level: LogLevel, msg: string, format: string | undefined, now = new Date()): string {
  const time = now.toISOString();
  if (format === 'json') return `${JSON.stringify({ level, msg, time })}\n`;
  // logrus TextFormatter: time="..." level=error msg="..."
  return `time="${time}" level=${level} msg=${JSON.stringify(msg)}\n`;
}

export function writeRuntimeLog(target: RuntimeLogTarget, level: LogLevel, msg: string): void {
  if (!target.file) return;
  try {
    appendFileSync(target.file, formatRuncLogLine(level, msg, target.format));
  } catch {
    // The log file is the caller's; if we cannot write it, stderr still carries the message.
  }
}

/** A failure the caller must see: runc log file + stderr. */
export function reportFailure(target: RuntimeLogTarget, msg: string): void {
  writeRuntimeLog(target, 'error', `openclaw-runtime: ${msg}`);
  process.stderr.write(`openclaw-runtime: ${msg}\n`);
}

let debugLogger: Logger | undefined;
let debugFile: RotatingFile | undefined;

/** Opens the shim's own JSON-lines log (config log.file) with winston. */
export async function openDebugLog(file: string, level: LogLevel): Promise<void> {
  if (!file) return;
  const winston = (await import('winston')).default;
  const out = new RotatingFile({
    file,
    ...DAEMON_LOG_DEFAULTS,
    dropNote: (n) => formatLogLine('warn', `log queue full: ${n} lines not logged`, { pid: process.pid }),
    onError: () => undefined, // a debug log that cannot be written must not fail a create
  });
  debugFile = out;
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      out.append(chunk.toString());
      done();
    },
  });
  debugLogger = winston.createLogger({
    level,
    format: winston.format.printf(({ level: lvl, message, ...meta }) => formatLogLine(lvl as LogLevel, String(message), meta).trimEnd()),
    transports: [new winston.transports.Stream({ stream, eol: '\n' })],
  });
}

export function debugLog(level: LogLevel, msg: string, meta: Record<string, unknown> = {}): void {
  debugLogger?.log(level, msg, { pid: process.pid, ...meta });
}

/** Flushes winston, then the file, before exit (both write asynchronously). */
export async function closeDebugLog(): Promise<void> {
  const logger = debugLogger;
  if (!logger) return;
  await new Promise<void>((resolve) => {
    logger.on('finish', () => resolve());
    logger.end();
    setTimeout(resolve, 500).unref();
  });
  await debugFile?.flush();
}
