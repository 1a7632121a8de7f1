/**
 * What both root-only sockets share (the seccomp agent's and the resident service's): one
 * daemon per socket, listening (RootSocket), and the accept loop: every pending connection is
 * accepted; one whose peer (SO_PEERCRED) is not uid 0, or whose credentials cannot be read, is
 * closed unread. Nothing but runc (for the agent) and the launcher (for the service), both
 * running as root, may talk to a root daemon.
 */
import { chmodSync, closeSync, ftruncateSync, mkdirSync, openSync, unlinkSync, writeSync } from 'node:fs';
import type { NativeAgent, PollerHandle } from './native.js';

type RootSocketNative = Pick<NativeAgent, 'flock' | 'fileConstants' | 'listenUnix' | 'Poller' | 'acceptConn' | 'peerCred' | 'closeFd'>;

export interface RootSocketOptions {
  /** The socket's directory (made 0700). */
  dir: string;
  lockPath: string;
  socketPath: string;
  backlog: number;
  log: (level: 'warn' | 'error', msg: string) => void;
  /** Called with each accepted connection from a root peer. */
  onRootPeer: (fd: number, peerPid: number) => void;
}

/** A root daemon's listening socket, held as the only one of its kind. */
export class RootSocket {
  private listenPoller: PollerHandle | undefined;

  private constructor(
    private readonly native: RootSocketNative,
    private readonly o: RootSocketOptions,
    private lockFd: number,
    private listenFd: number,
  ) {}

  /**
   * Takes the single-instance lock (an flock on `lockPath`, which then names this pid so that
   * operators and tests can stop the daemon by it), listens on `socketPath` (0600, bound under
   * umask 077 so nobody but root can connect even briefly) and accepts root peers. A socket file
   * found there while holding the lock is a dead daemon's and is removed. Undefined, holding
   * nothing, when another process holds the lock.
   */
  static listen(native: RootSocketNative, o: RootSocketOptions): RootSocket | undefined {
    mkdirSync(o.dir, { recursive: true, mode: 0o700 });
    chmodSync(o.dir, 0o700);
    const lockFd = openSync(o.lockPath, 'a', 0o600);
    const C = native.fileConstants;
    if (!native.flock(lockFd, C.LOCK_EX | C.LOCK_NB)) {
      closeSync(lockFd);
      return undefined;
    }
    let listenFd: number;
    try {
      ftruncateSync(lockFd, 0);
      writeSync(lockFd, `${process.pid}\n`);
      try {
        unlinkSync(o.socketPath);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      const old = process.umask(0o077);
      try {
        listenFd = native.listenUnix(o.socketPath, o.backlog);
      } finally {
        process.umask(old);
      }
      chmodSync(o.socketPath, 0o600);
    } catch (err) {
      closeSync(lockFd);
      throw err;
    }
    const socket = new RootSocket(native, o, lockFd, listenFd);
    socket.listenPoller = new native.Poller(listenFd, () => acceptRootPeers(native, listenFd, o.log, o.onRootPeer));
    return socket;
  }

  /** Stops accepting and removes the socket file; the lock stays held until release(). Idempotent. */
  stopAccepting(): void {
    this.listenPoller?.stop();
    this.listenPoller = undefined;
    if (this.listenFd < 0) return;
    this.native.closeFd(this.listenFd);
    this.listenFd = -1;
    try {
      unlinkSync(this.o.socketPath);
    } catch {
      // already gone
    }
  }

  /** Lets another daemon of this kind start. Idempotent. */
  release(): void {
    if (this.lockFd < 0) return;
    closeSync(this.lockFd);
    this.lockFd = -1;
  }
}

export function acceptRootPeers(
  native: Pick<NativeAgent, 'acceptConn' | 'peerCred' | 'closeFd'>,
  listenFd: number,
  log: (level: 'warn' | 'error', msg: string) => void,
  onRootPeer: (fd: number, peerPid: number) => void,
): void {
  for (;;) {
    let fd: number | null;
    try {
      fd = native.acceptConn(listenFd);
    } catch (e) {
      log('error', `accept: ${(e as Error).message}`);
      return;
    }
    if (fd === null) return;
    let cred: { uid: number; pid: number };
    try {
      cred = native.peerCred(fd);
    } catch {
      native.closeFd(fd);
      continue;
    }
    if (cred.uid !== 0) {
      log('warn', `refused a connection from uid ${cred.uid} (pid ${cred.pid})`);
      native.closeFd(fd);
      continue;
    }
    onRootPeer(fd, cred.pid);
  }
}
