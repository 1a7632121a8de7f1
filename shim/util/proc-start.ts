/** A process's identity beyond its pid, which the kernel reuses. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Field 22 of /proc/PID/stat (start time in clock ticks, as runc records it in init_process_start); undefined if there is no such process. */
export function procStartTime(pid: number, proc = '/proc'): string | undefined {
  try {
    const stat = readFileSync(join(proc, String(pid), 'stat'), 'utf8');
    // comm (field 2) may hold spaces and parentheses: count from the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19];
  } catch {
    return undefined;
  }
}
