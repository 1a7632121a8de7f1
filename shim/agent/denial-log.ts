/**
 * The denial audit: one JSON line per denied call, appended to agent.denial_log, and the
 * readable form `openclaw-runtime denials` prints. A profile author reads this when a
 * workload breaks: which container, which call, which path.
 *
 * NOTE when adding a field to DenialEntry also update formatDenial.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export interface DenialEntry {
  time: string;
  container: string;
  pid: number;
  profile: string;
  syscall: string;
  decision: 'deny';
  errno: number;
  reason: string;
  /** Short argument summary: the path where there is one, flags in hex. */
  args: string;
}

export function appendDenial(file: string, entry: DenialEntry): void {
  try {
    appendFileSync(file, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    appendFileSync(file, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
  }
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
  return [e.time, e.container, `pid ${e.pid}`, e.syscall, errnoName(e.errno), e.reason, e.args].filter(Boolean).join('  ');
}
