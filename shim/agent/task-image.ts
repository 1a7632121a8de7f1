/**
 * A notifying task's program image, read from the kernel's view of it (see TaskImage in
 * decide.ts for why exactly these fields): stat of /proc/PID/exe (the file itself, not its
 * name) and the memory-map layout fields of /proc/PID/stat. Neither comes from the task's
 * memory. The caller checks NOTIF_ID_VALID afterwards, so the pid still named the task that
 * made the call when these were read.
 */
import { readFileSync, statSync } from 'node:fs';
import type { TaskImage } from './decide.js';

/** 1-based /proc/PID/stat fields: start_code end_code start_stack, start_data end_data start_brk arg_start arg_end env_start env_end. */
const LAYOUT_FIELDS = [26, 27, 28, 45, 46, 47, 48, 49, 50, 51];

/** The layout part of a /proc/PID/stat line; undefined if it is not one (or the kernel hid the fields). */
export function layoutOfStat(stat: string): string | undefined {
  // comm (field 2) may hold spaces and parentheses: the fields after it start after the last ')'.
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  const rest = stat.slice(close + 2).trim().split(' ');
  const values = LAYOUT_FIELDS.map((f) => rest[f - 3]);
  if (values.some((v) => v === undefined || !/^[0-9]+$/.test(v))) return undefined;
  // Without ptrace access the kernel prints 0 (or 1) instead of the addresses: no identity then.
  if (values.every((v) => v === '0' || v === '1')) return undefined;
  return values.join(' ');
}

export function readTaskImage(pid: number): TaskImage | undefined {
  try {
    const st = statSync(`/proc/${pid}/exe`, { bigint: true });
    const layout = layoutOfStat(readFileSync(`/proc/${pid}/stat`, 'latin1'));
    return layout === undefined ? undefined : { dev: st.dev, ino: st.ino, layout };
  } catch {
    return undefined;
  }
}
