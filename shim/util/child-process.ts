/**
 * Every child process the shim waits for starts here (node:child_process spawn, no execa):
 *  - runInherited: the low-level runtime with our stdio, extra inherited fds and forwarded
 *    signals (pass-through, create, exec). Node 20 has no execve, so this is a child plus
 *    forwarding, and exitLike then ends this process the way the child ended, so the caller
 *    sees the wait status runc would have given it.
 *  - runCaptured: a short command whose output we read (runc features, runc state, mount(8)).
 *  - hostRunner: the ProcessRunner host actions get injected (tests pass a fake that records).
 * The resident daemons (agent/client.ts, service/client.ts) are started detached and not
 * waited for; host/stdio-alias.ts runs mknod(1) synchronously. Those stay where they are.
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

export interface CapturedResult extends RunResult {
  stdout: Buffer;
  stderr: Buffer;
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

/**
 * Runs `binary argv...` and collects its stdout and stderr whole. stdin: ours ('inherit', as
 * runc's features gets it) or none ('ignore'). Rejects only when the binary cannot be started.
 */
export function runCaptured(binary: string, argv: readonly string[], opts: { stdin?: 'inherit' | 'ignore'; cwd?: string } = {}): Promise<CapturedResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, argv, { stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'], argv0: binary, cwd: opts.cwd });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (exitCode, signal) => resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(err), exitCode, signal }));
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

/** What a host command (mount, umount, mountpoint) did: output as text, final newline off. */
export interface RunOutcome {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** How host actions run commands: injected, so tests can fake it and record what would have run. */
export type ProcessRunner = (file: string, args: readonly string[]) => Promise<RunOutcome>;

/** The real runner: no stdin; a command that could not start or was killed reads as exit 1 with no output. */
export const hostRunner: ProcessRunner = async (file, args) => {
  let r: CapturedResult;
  try {
    r = await runCaptured(file, args);
  } catch {
    return { exitCode: 1, stdout: '', stderr: '' };
  }
  return { exitCode: r.exitCode ?? 1, stdout: withoutFinalNewline(r.stdout), stderr: withoutFinalNewline(r.stderr) };
};

function withoutFinalNewline(b: Buffer): string {
  return b.toString('utf8').replace(/\r?\n$/, '');
}
