/**
 * What every root-only socket shares (the seccomp agent's, the resident service's, their stats
 * sockets, the recorder's): a listener bound 0600 under umask 077 whose every connection is
 * checked (RootListener): one whose peer (SO_PEERCRED) is not uid 0, or whose credentials cannot
 * be read, is closed unread; and, for the two daemons, one daemon per socket (RootSocket). Nothing
 * but runc (for the agent and the recorder) and the launcher or `openclaw-runtime` (for the
 * service and the stats), all running as root, may talk to a root daemon.
 */
import { chmodSync, closeSync, ftruncateSync, mkdirSync, openSync, unlinkSync, writeSync } from 'node:fs';
import type { NativeAgent, PollerHandle } from './native.js';

type ListenNative = Pick<NativeAgent, 'listenUnix' | 'Poller' | 'acceptConn' | 'peerCred' | 'closeFd'>;
type RootLog = (level: 'warn' | 'error', msg: string) => void;

/** A listening unix socket that hands on connections from root peers only. */
export class RootListener {
  private constructor(
    private readonly native: ListenNative,
    readonly path: string,
    private listenFd: number,
    private poller: PollerHandle | undefined,
  ) {}

  /**
   * Binds `path` (0600, under umask 077 so nobody but root can connect even briefly) and calls
   * `onRootPeer` with each accepted connection from root. A file already at `path` is removed:
   * the caller holds its daemon's lock, or owns the directory.
   */
  static listen(native: ListenNative, path: string, backlog: number, log: RootLog, onRootPeer: (fd: number, peerPid: number) => void): RootListener {
    try {
      unlinkSync(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const old = process.umask(0o077);
    let listenFd: number;
    try {
      listenFd = native.listenUnix(path, backlog);
    } finally {
      process.umask(old);
    }
    try {
      chmodSync(path, 0o600);
    } catch (err) {
      native.closeFd(listenFd);
      throw err;
    }
    const poller = new native.Poller(listenFd, () => acceptRootPeers(native, listenFd, log, onRootPeer));
    return new RootListener(native, path, listenFd, poller);
  }

  /** Stops accepting, closes the socket and removes its file. Idempotent. */
  stop(): void {
    this.poller?.stop();
    this.poller = undefined;
    if (this.listenFd < 0) return;
    this.native.closeFd(this.listenFd);
    this.listenFd = -1;
    try {
      unlinkSync(this.path);
    } catch {
      // already gone
    }
  }
}

export interface RootSocketOptions {
  /** The socket's directory (made 0700). */
  dir: string;
  lockPath: string;
  socketPath: string;
  backlog: number;
  log: RootLog;
  /** Called with each accepted connection from a root peer. */
  onRootPeer: (fd: number, peerPid: number) => void;
}

/** A root daemon's listening socket, held as the only one of its kind. */
export class RootSocket {
  private constructor(
    private readonly listener: RootListener,
    private lockFd: number,
  ) {}

  /**
   * Takes the single-instance lock (an flock on `lockPath`, which then names this pid so that
   * operators and tests can stop the daemon by it), then listens (RootListener) on `socketPath`;
   * a socket file found there while holding the lock is a dead daemon's. Undefined, holding
   * nothing, when another process holds the lock.
   */
  static listen(native: ListenNative & Pick<NativeAgent, 'flock' | 'fileConstants'>, o: RootSocketOptions): RootSocket | undefined {
    mkdirSync(o.dir, { recursive: true, mode: 0o700 });
    chmodSync(o.dir, 0o700);
    const lockFd = openSync(o.lockPath, 'a', 0o600);
    const C = native.fileConstants;
    if (!native.flock(lockFd, C.LOCK_EX | C.LOCK_NB)) {
      closeSync(lockFd);
      return undefined;
    }
    try {
      ftruncateSync(lockFd, 0);
      writeSync(lockFd, `${process.pid}\n`);
      return new RootSocket(RootListener.listen(native, o.socketPath, o.backlog, o.log, o.onRootPeer), lockFd);
    } catch (err) {
      closeSync(lockFd);
      throw err;
    }
  }

  /** Stops accepting and removes the socket file; the lock stays held until release(). Idempotent. */
  stopAccepting(): void {
    this.listener.stop();
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
  log: RootLog,
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
