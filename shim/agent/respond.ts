/**
 * Answering one seccomp notification: read what the decision needs from /proc (the task's
 * exe, the path argument as bytes, its base), decide (decide.ts, pure), and carry it out:
 * CONTINUE, an errno (logged), or an fd the agent opened as the task and injects.
 * Nothing here waits: /proc reads, an O_PATH lookup and a non-blocking reopen (open-as.ts),
 * ioctls on the listener; the denial log is written asynchronously.
 */
import { closeSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { decide, needsPath, needsTaskImage, type AgentPolicy, type AuditedAction, type Decision, type ListenerState, type NeedPath, type PathInput, type TaskImage } from './decide.js';
import { readTaskImage } from './task-image.js';
import type { DenialLog } from './denial-log.js';
import { isNativeError, type NativeAgent, type SeccompNotif } from './native.js';
import { openAsTask } from './open-as.js';
import { AT_FDCWD, binaryForDisplay, readBaseDir, readCString, readTaskCreds } from './proc.js';
import { CALL_LAYOUTS, syscallLabel, syscallName } from './syscalls.js';
import { decodeArgs, openFlagsText } from './explain.js';

/** One listener fd as the responder sees it. policy.writable is in binary form (proc.ts). */
export interface ListenerView {
  readonly fd: number;
  state: ListenerState;
  readonly policy: AgentPolicy;
  readonly container: string;
  readonly profile: string;
}

export type AgentLog = (level: 'info' | 'warn' | 'error', msg: string) => void;

export class Responder {
  constructor(
    private readonly native: NativeAgent,
    private readonly denials: Pick<DenialLog, 'record'>,
    private readonly log: AgentLog,
  ) {}

  /** Handles one notification; never throws past an answer: on a bug the call gets the profile's errno (fail closed). */
  handle(l: ListenerView, n: SeccompNotif): void {
    try {
      this.handleNotification(l, n);
    } catch (e) {
      this.log('error', `container ${l.container}: ${(e as Error).stack ?? e}`);
      this.send(l, n, -l.policy.errno, 0);
    }
  }

  private handleNotification(l: ListenerView, n: SeccompNotif): void {
    const image = this.taskImage(l, n);
    const first = decide(l.state, n.data, l.policy, undefined, image);
    const r = needsPath(first) ? decide(l.state, n.data, l.policy, readPath(n, first.decision), image) : first;
    // The new state counts only once the answer reached the task. A notified call can be
    // interrupted by a signal (Go's runtime preempts runc's init with SIGURG) and restarted:
    // the kernel then withdraws the first notification and sends a fresh one for the same
    // execve, which must still be the first.
    if (this.apply(l, n, r.decision)) l.state = r.state;
  }

  /**
   * The calling task's program image (task-image.ts), only while decide needs it: to learn
   * runc init's, and until the first exec is known to have completed. Checked with
   * NOTIF_ID_VALID afterwards, so the pid still named the calling task when we read it.
   */
  private taskImage(l: ListenerView, n: SeccompNotif): TaskImage | undefined {
    if (!needsTaskImage(l.state)) return undefined;
    const image = readTaskImage(n.pid);
    return image !== undefined && this.native.notifIdValid(l.fd, n.id) ? image : undefined;
  }

  /** Answers the call; true when the answer was delivered. */
  private apply(l: ListenerView, n: SeccompNotif, d: Decision): boolean {
    switch (d.kind) {
      case 'continue':
        // Audit mode: logged before the answer, like a denial, so the line exists even when the task dies of the call.
        if (d.wouldDeny) this.logDenial(l, n, d.wouldDeny.errno, d.wouldDeny.reason, d.wouldDeny.rule, { audit: true, action: d.wouldDeny.action });
        return this.send(l, n, 0, this.native.seccompConstants.SECCOMP_USER_NOTIF_FLAG_CONTINUE);
      case 'deny':
        this.logDenial(l, n, d.errno, d.reason, d.rule);
        return this.send(l, n, -d.errno, 0);
      case 'inject':
        this.inject(l, n, d);
        return true;
    }
  }

  send(l: ListenerView, n: SeccompNotif, error: number, flags: number): boolean {
    try {
      this.native.notifSend(l.fd, n.id, 0n, error, flags);
      return true;
    } catch (e) {
      // ENOENT: the task died or was interrupted (it will retry with a new notification).
      if (!isNativeError(e, 'ENOENT')) this.log('warn', `container ${l.container}: ${(e as Error).message}`);
      return false;
    }
  }

  /**
   * Opens the path inside the container's root as the task (open-as.ts) and injects the fd
   * as the call's result. Order matters: read memory and /proc first, then NOTIF_ID_VALID (so
   * the pid still names the task that made this call), then open and ADDFD.
   */
  private inject(l: ListenerView, n: SeccompNotif, d: Extract<Decision, { kind: 'inject' }>): void {
    const N = this.native;
    const C = N.fileConstants;
    let rootFd = -1;
    let fileFd = -1;
    try {
      const creds = readTaskCreds(n.pid);
      try {
        rootFd = N.openat2(C.AT_FDCWD, `/proc/${n.pid}/root`, C.O_PATH | C.O_DIRECTORY, 0, 0);
      } catch {
        rootFd = -1;
      }
      if (!N.notifIdValid(l.fd, n.id)) return; // the task is gone; nothing to answer
      if (rootFd < 0 || creds === undefined) {
        this.send(l, n, -l.policy.errno, 0);
        return;
      }
      const opened = openAsTask(N, rootFd, { path: d.path, flags: d.flags, mode: d.mode, deviceAllowed: l.policy.writable.includes(d.path) }, creds, l.policy.errno);
      if (!opened.ok) {
        // The kernel's own refusal (ENOENT, EACCES, ELOOP, ...) is what the task would have
        // seen; the agent's (FIFO, socket, lease) is a denial and logged.
        if ('refused' in opened) this.logDenial(l, n, opened.errno, opened.refused);
        this.send(l, n, -opened.errno, 0);
        return;
      }
      fileFd = opened.fd;
      try {
        N.notifAddfd(l.fd, n.id, fileFd, d.cloexec ? C.O_CLOEXEC : 0, N.seccompConstants.SECCOMP_ADDFD_FLAG_SEND);
      } catch (e) {
        if (!isNativeError(e, 'ENOENT')) {
          this.log('warn', `container ${l.container}: ${(e as Error).message}`);
          this.send(l, n, -(isNativeError(e) ? e.errno : osConstants.errno.EIO), 0);
        }
      }
    } finally {
      if (fileFd >= 0) closeSync(fileFd);
      if (rootFd >= 0) closeSync(rootFd);
    }
  }

  /** `audit`: the call was let through (audit mode); the line says what enforcement would have done. */
  private logDenial(l: ListenerView, n: SeccompNotif, errno: number, reason: string, rule?: string, audit?: { audit: true; action?: AuditedAction }): void {
    this.denials.record({
      time: new Date().toISOString(),
      container: l.container,
      pid: n.pid,
      profile: l.profile,
      syscall: syscallLabel(n.data.arch, n.data.nr),
      decision: audit ? 'audit' : 'deny',
      errno,
      reason,
      args: argsSummary(n),
      ...(rule === undefined ? {} : { rule }),
      ...(audit?.action === undefined ? {} : { action: audit.action }),
    });
  }
}

function readPath(n: SeccompNotif, need: NeedPath): PathInput {
  const s = readCString(n.pid, n.data.args[need.pathArg] ?? 0n);
  if (!s.ok) return { ok: false, reason: s.reason };
  if (s.value.startsWith('/')) return { ok: true, path: s.value };
  const dirfd = need.dirfdArg === undefined ? AT_FDCWD : Number(BigInt.asIntN(32, n.data.args[need.dirfdArg] ?? 0n));
  const base = readBaseDir(n.pid, dirfd);
  return base === undefined ? { ok: true, path: s.value } : { ok: true, path: s.value, base };
}

/**
 * `path="/bin/sh"` for exec and open calls (read best-effort, for the log only) with open flags
 * by name; other calls decoded where a profile filters on them (explain.ts), else the raw registers.
 */
function argsSummary(n: SeccompNotif): string {
  const name = syscallName(n.data.arch, n.data.nr);
  const layout = name === undefined ? undefined : CALL_LAYOUTS[name];
  if (layout === undefined) return name === undefined ? decodeArgs('', n.data.args) : decodeArgs(name, n.data.args);
  const s = readCString(n.pid, n.data.args[layout.pathArg] ?? 0n, 512);
  const parts = [s.ok ? `path=${JSON.stringify(binaryForDisplay(s.value))}` : `path=<${s.reason}>`];
  if (layout.kind === 'open') {
    const flags = layout.flagsArg === undefined ? (layout.fixedFlags ?? 0) : Number(BigInt.asUintN(32, n.data.args[layout.flagsArg] ?? 0n));
    parts.push(`flags=${openFlagsText(flags)}`);
  }
  return parts.join(' ');
}
