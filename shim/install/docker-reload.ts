/**
 * Makes a running dockerd pick up daemon.json: dockerd reloads `runtimes` and
 * `default-runtime` on SIGHUP. The pid comes from its pidfile, and is signalled only if that
 * process really is a dockerd (a stale pidfile may name an unrelated process).
 */
import { readFileSync } from 'node:fs';

export const DEFAULT_DOCKER_PIDFILE = '/var/run/docker.pid';

export type ReloadOutcome = { reloaded: true; pid: number } | { reloaded: false; reason: string };

function processName(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

export function reloadDockerd(pidfile: string): ReloadOutcome {
  let text: string;
  try {
    text = readFileSync(pidfile, 'utf8');
  } catch {
    return { reloaded: false, reason: `dockerd does not seem to run (no pidfile ${pidfile})` };
  }
  const pid = Number.parseInt(text.trim(), 10);
  if (!Number.isInteger(pid) || pid <= 1) return { reloaded: false, reason: `pidfile ${pidfile} holds no pid` };
  const name = processName(pid);
  if (name !== 'dockerd') return { reloaded: false, reason: `pid ${pid} from ${pidfile} is ${name ? `"${name}"` : 'not running'}, not dockerd` };
  process.kill(pid, 'SIGHUP');
  return { reloaded: true, pid };
}

export const DOCKER_RELOAD_HINT = 'reload dockerd to apply it: `systemctl reload docker` or `kill -HUP $(cat /var/run/docker.pid)` (a restart also works)';
