/**
 * Hands a command line to the low-level runtime and mirrors its outcome: stdio and any extra
 * inherited file descriptors (--preserve-fds, LISTEN_FDS, sockets the caller passed), the exit
 * code, and a terminating signal (re-raised on ourselves so the caller sees the same wait
 * status runc would have given it). Node 20 has no execve, so this is a child plus forwarding.
 */
import { spawn } from 'node:child_process';
import { fstatSync } from 'node:fs';
import { constants as osConstants } from 'node:os';

/** Signals forwarded to runc while it runs (as a foreground `runc run` forwards them onward). */
const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = [
  'SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH', 'SIGCONT', 'SIGTSTP',
];

export interface RunResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * The extra fds runc must inherit: 3 .. 3+N-1, where N is --preserve-fds or LISTEN_FDS
 * (socket activation), whichever is larger. These are exactly the fds runc itself would pass
 * on to the container; a closed one in that range stays closed in the child.
 */
export function inheritedFds(preserveFds: number, env: NodeJS.ProcessEnv = process.env): number[] {
  const listen = Number.parseInt(env.LISTEN_FDS ?? '0', 10);
  const wanted = Math.min(Math.max(preserveFds, Number.isFinite(listen) ? listen : 0), 1024);
  const fds: number[] = [];
  for (let fd = 3; fd < 3 + wanted; fd++) fds.push(isOpen(fd) ? fd : -1);
  return fds;
}

function isOpen(fd: number): boolean {
  try {
    fstatSync(fd);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs `binary argv...` with our stdio (or the fds given for 0-2) and extra fds, forwarding
 * signals.
 */
export function runInherited(binary: string, argv: readonly string[], extraFds: readonly number[], stdio0to2: ReadonlyArray<'inherit' | number> = ['inherit', 'inherit', 'inherit']): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const stdio: Array<'inherit' | 'ignore' | number> = [...stdio0to2];
    for (const fd of extraFds) stdio.push(fd < 0 ? 'ignore' : fd);
    const child = spawn(binary, argv, { stdio, argv0: binary });
    const forward = (sig: NodeJS.Signals) => {
      try {
        child.kill(sig);
      } catch {
        /* child already gone */
      }
    };
    for (const sig of FORWARDED_SIGNALS) process.on(sig, forward);
    child.on('error', (err) => {
      for (const sig of FORWARDED_SIGNALS) process.off(sig, forward);
      reject(err);
    });
    child.on('exit', (code, signal) => {
      for (const sig of FORWARDED_SIGNALS) process.off(sig, forward);
      resolve({ exitCode: code, signal });
    });
  });
}

/** Ends this process the way the child ended. */
export function exitLike(result: RunResult): never {
  if (result.signal) {
    process.removeAllListeners(result.signal);
    process.kill(process.pid, result.signal);
    // Signals such as SIGWINCH do not terminate; fall back to the shell convention.
    process.exit(128 + (signalNumber(result.signal) ?? 1));
  }
  process.exit(result.exitCode ?? 1);
}

function signalNumber(sig: NodeJS.Signals): number | undefined {
  return (osConstants.signals as Record<string, number>)[sig];
}
