/** Stops a seccomp agent the shim started for a test, by the pid in its lock file (`<socket>.lock`). */
import { existsSync, readFileSync } from 'node:fs';

export function stopAgent(socket: string): void {
  const lock = `${socket}.lock`;
  if (!existsSync(lock)) return;
  const pid = Number.parseInt(readFileSync(lock, 'utf8'), 10);
  if (!(pid > 0)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    /* already gone */
  }
}
