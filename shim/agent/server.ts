/**
 * The agent process: one per host, serving every container. runc connects to the socket
 * (linux.seccomp.listenerPath) once per process it starts and sends the seccomp listener fd
 * with SCM_RIGHTS plus a JSON ContainerProcessState:
 *   {"ociVersion","fds":["seccompFd"],"pid":N,"metadata":"...","state":{"id","status","pid","bundle",...}}
 * Each listener fd gets its own ListenerState (see decide.ts). When every task of a filter
 * is gone the fd reports POLLHUP and the agent closes it and forgets the container: nothing
 * accumulates per container.
 *
 * Fail closed: if this process dies, the kernel answers every notified call of the running
 * containers with ENOSYS (the listener is gone), so nothing the agent would deny succeeds.
 */
import { chmodSync, closeSync, fchownSync, mkdirSync, openSync, readlinkSync, unlinkSync, ftruncateSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { constants as osConstants } from 'node:os';
import { OpenclawError } from '../errors.js';
import { decide, INITIAL_LISTENER_STATE, needsTaskImage, type AgentPolicy, type Decision, type ListenerState, type PathInput, type TaskImage } from './decide.js';
import { readTaskImage } from './task-image.js';
import { appendDenial, type DenialEntry } from './denial-log.js';
import { parseListenerMetadata } from './metadata.js';
import { isNativeError, loadNative, type NativeAgent, type PollerHandle, type SeccompNotif } from './native.js';
import { AT_FDCWD, readBaseDir, readCString, readTaskCreds } from './proc.js';
import { CALL_LAYOUTS, syscallLabel, syscallName } from './syscalls.js';
import { checkKernel } from './kernel.js';

export interface AgentServerOptions {
  socketPath: string;
  denialLog: string;
  native?: NativeAgent;
  log?: (level: 'info' | 'warn' | 'error', msg: string) => void;
}

/** Bounds on what one connection may send: runc's message is a few KiB. */
const MAX_MESSAGE = 1 << 20;
const MAX_FDS = 4;
const CONNECTION_TIMEOUT_MS = 5000;
/** After this many logged denials a listener logs one "suppressed" line and stops (a retry loop must not fill the disk). */
const MAX_LOGGED_DENIALS = 1000;
/** With no metadata we cannot know the profile's intent: strictest reading. */
const FALLBACK_POLICY: AgentPolicy = { errno: 1, writable: [] };

interface Connection {
  fd: number;
  poller: PollerHandle;
  chunks: Buffer[];
  size: number;
  fds: number[];
  timer: NodeJS.Timeout;
}

interface Listener {
  fd: number;
  poller: PollerHandle;
  state: ListenerState;
  policy: AgentPolicy;
  container: string;
  profile: string;
  logged: number;
}

export class AgentServer {
  private readonly native: NativeAgent;
  private readonly log: NonNullable<AgentServerOptions['log']>;
  private listenFd = -1;
  private lockFd = -1;
  private listenPoller: PollerHandle | undefined;
  private readonly connections = new Set<Connection>();
  private readonly listeners = new Map<number, Listener>();

  constructor(private readonly opts: AgentServerOptions) {
    this.native = opts.native ?? loadNative();
    this.log = opts.log ?? ((level, msg) => process.stderr.write(`openclaw-agent ${level}: ${msg}\n`));
  }

  /** Containers (listener fds) currently served and connections being read: for tests and status. */
  stats(): { listeners: number; connections: number } {
    return { listeners: this.listeners.size, connections: this.connections.size };
  }

  start(): void {
    checkKernel(this.native);
    const { socketPath } = this.opts;
    const dir = dirname(socketPath);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    this.lockFd = openSync(`${socketPath}.lock`, 'a', 0o600);
    const C = this.native.fileConstants;
    if (!this.native.flock(this.lockFd, C.LOCK_EX | C.LOCK_NB)) {
      closeSync(this.lockFd);
      this.lockFd = -1;
      throw new OpenclawError('agent', 'another seccomp agent already serves this socket', {
        file: socketPath,
        fix: 'use the running agent, or stop it first',
      });
    }
    // The lock file names the agent that holds it, so operators and tests can stop it by pid.
    ftruncateSync(this.lockFd, 0);
    writeSync(this.lockFd, `${process.pid}\n`);
    // We hold the lock, so a socket file left here belongs to a dead agent.
    try {
      unlinkSync(socketPath);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    // umask 077 while binding: the socket is never connectable by anyone but root, not even briefly.
    const old = process.umask(0o077);
    try {
      this.listenFd = this.native.listenUnix(socketPath, 128);
    } finally {
      process.umask(old);
    }
    chmodSync(socketPath, 0o600);
    this.listenPoller = new this.native.Poller(this.listenFd, () => this.acceptAll());
    this.log('info', `listening on ${socketPath} (pid ${process.pid})`);
  }

  /** Stops listening and closes every fd it holds. Running containers' notified calls then fail (ENOSYS). */
  stop(): void {
    this.listenPoller?.stop();
    this.listenPoller = undefined;
    if (this.listenFd >= 0) {
      this.native.closeFd(this.listenFd);
      this.listenFd = -1;
      try {
        unlinkSync(this.opts.socketPath);
      } catch {
        // already gone
      }
    }
    for (const c of [...this.connections]) this.dropConnection(c);
    for (const l of [...this.listeners.values()]) this.dropListener(l);
    if (this.lockFd >= 0) {
      closeSync(this.lockFd);
      this.lockFd = -1;
    }
  }

  // ---- connections from runc ----

  private acceptAll(): void {
    for (;;) {
      let fd: number | null;
      try {
        fd = this.native.acceptConn(this.listenFd);
      } catch (e) {
        this.log('error', `accept: ${(e as Error).message}`);
        return;
      }
      if (fd === null) return;
      try {
        const cred = this.native.peerCred(fd);
        if (cred.uid !== 0) {
          this.log('warn', `refused connection from uid ${cred.uid} (pid ${cred.pid})`);
          this.native.closeFd(fd);
          continue;
        }
      } catch {
        this.native.closeFd(fd);
        continue;
      }
      const conn: Connection = { fd, chunks: [], size: 0, fds: [], poller: undefined as unknown as PollerHandle, timer: undefined as unknown as NodeJS.Timeout };
      conn.timer = setTimeout(() => {
        this.log('warn', 'connection sent no complete message in time; dropped');
        this.dropConnection(conn);
      }, CONNECTION_TIMEOUT_MS);
      conn.poller = new this.native.Poller(fd, () => this.readConnection(conn));
      this.connections.add(conn);
    }
  }

  private readConnection(conn: Connection): void {
    for (;;) {
      let msg;
      try {
        msg = this.native.recvWithFds(conn.fd, 64 * 1024, MAX_FDS);
      } catch (e) {
        this.log('warn', `recvmsg: ${(e as Error).message}`);
        this.dropConnection(conn);
        return;
      }
      if (msg === null) return;
      conn.fds.push(...msg.fds);
      if (msg.data.length === 0) {
        // End of stream before a complete message (or an empty liveness probe).
        const body = Buffer.concat(conn.chunks).toString('utf8');
        const fds = conn.fds;
        conn.fds = [];
        this.dropConnection(conn);
        this.handleMessage(body, fds);
        return;
      }
      conn.chunks.push(msg.data);
      conn.size += msg.data.length;
      if (conn.size > MAX_MESSAGE || conn.fds.length > MAX_FDS) {
        this.log('warn', 'connection message too large; dropped');
        this.dropConnection(conn);
        return;
      }
      // runc 1.1.5 never closes its end (it closes only a dup of the socket), so the message
      // ends where the JSON object is complete, not at end of stream.
      const body = Buffer.concat(conn.chunks).toString('utf8');
      if (isCompleteJson(body)) {
        const fds = conn.fds;
        conn.fds = [];
        this.dropConnection(conn);
        this.handleMessage(body, fds);
        return;
      }
    }
  }

  private dropConnection(conn: Connection): void {
    if (!this.connections.delete(conn)) return;
    clearTimeout(conn.timer);
    conn.poller.stop();
    this.native.closeFd(conn.fd);
    for (const fd of conn.fds) this.native.closeFd(fd);
  }

  /** One ContainerProcessState from runc: keep the seccomp fd, close anything else. */
  private handleMessage(body: string, fds: number[]): void {
    if (body === '' && fds.length === 0) return; // a liveness probe (ensureAgent's connect)
    let msg: { fds?: unknown; metadata?: unknown; state?: { id?: unknown }; pid?: unknown };
    try {
      msg = JSON.parse(body) as typeof msg;
    } catch {
      this.log('warn', 'message is not JSON; closing its fds');
      for (const fd of fds) this.native.closeFd(fd);
      return;
    }
    const names = Array.isArray(msg.fds) ? msg.fds : [];
    const idx = names.indexOf('seccompFd');
    const seccompFd = idx >= 0 ? fds[idx] : undefined;
    for (const fd of fds) if (fd !== seccompFd) this.native.closeFd(fd);
    const container = typeof msg.state?.id === 'string' ? msg.state.id : '?';
    if (seccompFd === undefined) {
      this.log('warn', `container ${container}: message without a seccompFd`);
      return;
    }
    if (!isSeccompNotifyFd(seccompFd)) {
      this.log('warn', `container ${container}: fd is not a seccomp listener`);
      this.native.closeFd(seccompFd);
      return;
    }
    const meta = parseListenerMetadata(typeof msg.metadata === 'string' ? msg.metadata : undefined);
    if (!meta.ok) this.log('warn', `container ${container}: ${meta.error}; denying everything after the first execve`);
    const listener: Listener = {
      fd: seccompFd,
      poller: undefined as unknown as PollerHandle,
      state: INITIAL_LISTENER_STATE,
      policy: meta.ok ? { errno: meta.value.errno, writable: meta.value.writable, execAllowed: meta.value.execAllowed, writeGated: meta.value.writeGated } : FALLBACK_POLICY,
      container,
      profile: meta.ok ? meta.value.profile : '?',
      logged: 0,
    };
    this.listeners.set(seccompFd, listener);
    listener.poller = new this.native.Poller(seccompFd, (revents) => this.onListener(listener, revents));
    this.log('info', `container ${container}: serving listener (pid ${String(msg.pid)}, profile ${listener.profile})`);
  }

  // ---- seccomp notifications ----

  private onListener(l: Listener, revents: number): void {
    const P = this.native.pollConstants;
    if (revents & P.POLLIN) {
      for (;;) {
        let n: SeccompNotif | null;
        try {
          n = this.native.notifRecv(l.fd);
        } catch (e) {
          this.log('error', `container ${l.container}: ${(e as Error).message}`);
          this.dropListener(l);
          return;
        }
        if (n === null) break;
        try {
          this.handleNotification(l, n);
        } catch (e) {
          // Unanswered, the task would hang: answer with the errno (fail closed).
          this.log('error', `container ${l.container}: ${(e as Error).stack ?? e}`);
          this.send(l, n, -l.policy.errno, 0);
        }
      }
      return;
    }
    if (revents & (P.POLLHUP | P.POLLERR | P.POLLNVAL)) this.dropListener(l);
  }

  private dropListener(l: Listener): void {
    if (!this.listeners.delete(l.fd)) return;
    l.poller.stop();
    this.native.closeFd(l.fd);
    this.log('info', `container ${l.container}: listener closed`);
  }

  private handleNotification(l: Listener, n: SeccompNotif): void {
    const image = this.taskImage(l, n);
    let r = decide(l.state, n.data, l.policy, undefined, image);
    let path: PathInput | undefined;
    if (r.decision.kind === 'need-path') {
      path = readPath(n, r.decision);
      r = decide(l.state, n.data, l.policy, path, image);
    }
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
  private taskImage(l: Listener, n: SeccompNotif): TaskImage | undefined {
    if (!needsTaskImage(l.state)) return undefined;
    const image = readTaskImage(n.pid);
    return image !== undefined && this.native.notifIdValid(l.fd, n.id) ? image : undefined;
  }

  /** Answers the call; true when the answer was delivered. */
  private apply(l: Listener, n: SeccompNotif, d: Decision): boolean {
    switch (d.kind) {
      case 'continue':
        return this.send(l, n, 0, this.native.seccompConstants.SECCOMP_USER_NOTIF_FLAG_CONTINUE);
      case 'deny':
        this.logDenial(l, n, d);
        return this.send(l, n, -d.errno, 0);
      case 'inject':
        this.inject(l, n, d);
        return true;
      case 'need-path':
        // decide() never asks twice; treat it as a bug and fail closed.
        return this.send(l, n, -l.policy.errno, 0);
    }
  }

  private send(l: Listener, n: SeccompNotif, error: number, flags: number): boolean {
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
   * Opens the path inside the container's root on the task's behalf and injects the fd as
   * the call's result. Order matters: read memory and /proc first, then NOTIF_ID_VALID (so
   * the pid still names the task that made this call), then open and ADDFD.
   */
  private inject(l: Listener, n: SeccompNotif, d: Extract<Decision, { kind: 'inject' }>): void {
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
      const resolve = C.RESOLVE_IN_ROOT | C.RESOLVE_NO_SYMLINKS | C.RESOLVE_NO_MAGICLINKS;
      const mode = d.mode & ~creds.umask;
      let created = false;
      try {
        ({ fd: fileFd, created } = openForTask(N, rootFd, d.path, d.flags, mode, resolve));
      } catch (e) {
        // The task sees the open's own error (ENOENT, EISDIR, ELOOP for a symlink, ...).
        this.send(l, n, -(isNativeError(e) ? e.errno : osConstants.errno.EIO), 0);
        return;
      }
      if (created) {
        try {
          fchownSync(fileFd, creds.fsuid, creds.fsgid);
        } catch {
          // A file owned by root is still usable through the fd we inject.
        }
      }
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

  private logDenial(l: Listener, n: SeccompNotif, d: Extract<Decision, { kind: 'deny' }>): void {
    if (l.logged > MAX_LOGGED_DENIALS) return;
    l.logged++;
    const entry: DenialEntry = {
      time: new Date().toISOString(),
      container: l.container,
      pid: n.pid,
      profile: l.profile,
      syscall: syscallLabel(n.data.arch, n.data.nr),
      decision: 'deny',
      errno: d.errno,
      reason: l.logged > MAX_LOGGED_DENIALS ? `${d.reason} (further denials for this process not logged)` : d.reason,
      args: argsSummary(n),
    };
    try {
      appendDenial(this.opts.denialLog, entry);
    } catch (e) {
      this.log('warn', `denial log ${this.opts.denialLog}: ${(e as Error).message}`);
    }
  }
}

/** Opens like open(2) would, inside rootFd; O_CREAT without O_EXCL is split so we know whether we created the file (to chown it). */
function openForTask(N: NativeAgent, rootFd: number, path: string, flags: number, mode: number, resolve: number): { fd: number; created: boolean } {
  const { O_CREAT, O_EXCL } = N.fileConstants;
  const TMPFILE = 0o20000000;
  if (flags & TMPFILE) return { fd: N.openat2(rootFd, path, flags, mode, resolve), created: true };
  if (!(flags & O_CREAT)) return { fd: N.openat2(rootFd, path, flags, 0, resolve), created: false };
  if (flags & O_EXCL) return { fd: N.openat2(rootFd, path, flags, mode, resolve), created: true };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return { fd: N.openat2(rootFd, path, flags & ~O_CREAT, 0, resolve), created: false };
    } catch (e) {
      if (!isNativeError(e, 'ENOENT')) throw e;
    }
    try {
      return { fd: N.openat2(rootFd, path, flags | O_EXCL, mode, resolve), created: true };
    } catch (e) {
      if (!isNativeError(e, 'EEXIST')) throw e; // someone created it in between: open it
    }
  }
  return { fd: N.openat2(rootFd, path, flags & ~O_CREAT, 0, resolve), created: false };
}

function isCompleteJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function isSeccompNotifyFd(fd: number): boolean {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`) === 'anon_inode:seccomp notify';
  } catch {
    return false;
  }
}

function readPath(n: SeccompNotif, need: { pathArg: number; dirfdArg?: number }): PathInput {
  const s = readCString(n.pid, n.data.args[need.pathArg] ?? 0n);
  if (!s.ok) return { ok: false, reason: s.reason };
  if (s.value.startsWith('/')) return { ok: true, path: s.value };
  const dirfd = need.dirfdArg === undefined ? AT_FDCWD : Number(BigInt.asIntN(32, n.data.args[need.dirfdArg] ?? 0n));
  const base = readBaseDir(n.pid, dirfd);
  return base === undefined ? { ok: true, path: s.value } : { ok: true, path: s.value, base };
}

/** `path="/bin/sh"` for exec and open calls (read best-effort, for the log only), flags in hex, else the raw registers. */
function argsSummary(n: SeccompNotif): string {
  const name = syscallName(n.data.arch, n.data.nr);
  const layout = name === undefined ? undefined : CALL_LAYOUTS[name];
  if (layout === undefined) return n.data.args.slice(0, 3).map((a) => `0x${a.toString(16)}`).join(' ');
  const s = readCString(n.pid, n.data.args[layout.pathArg] ?? 0n, 512);
  const parts = [s.ok ? `path=${JSON.stringify(s.value)}` : `path=<${s.reason}>`];
  if (layout.kind === 'open') {
    const flags = layout.flagsArg === undefined ? (layout.fixedFlags ?? 0) : Number(BigInt.asUintN(32, n.data.args[layout.flagsArg] ?? 0n));
    parts.push(`flags=0x${flags.toString(16)}`);
  }
  return parts.join(' ');
}
