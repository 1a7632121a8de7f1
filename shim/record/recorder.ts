/**
 * The recorder: a seccomp listener of its own, inside the `record` command's process, on a
 * socket in a root-only directory (commands/record.ts). It takes runc's hand-off like the
 * agent (handoff.ts, root peers only), answers every notification CONTINUE and counts what it
 * saw (observe.ts). It never denies: a recording run behaves as the job would unconfined by
 * seccomp, which is why only root running `record` can start one (never an annotation).
 * Nothing here waits on the container: /proc reads and non-blocking ioctls on the listener.
 */
import { HandoffBuffer, isSeccompNotifyFd, parseHandoff } from '../agent/handoff.js';
import { loadNative, isNativeError, type NativeAgent, type PollerHandle, type SeccompNotif } from '../agent/native.js';
import { RootListener } from '../agent/root-peers.js';
import { syscallLabel } from '../agent/syscalls.js';
import { readTaskImage } from '../agent/task-image.js';
import { INITIAL_PHASE, nextPhase, observeArgs, phaseNeedsImage, type CallRecord, type PhaseState } from './observe.js';

export interface CountedRecord extends CallRecord {
  count: number;
}

interface Listener {
  fd: number;
  poller: PollerHandle;
  phase: PhaseState;
}

export class Recorder {
  private readonly native: NativeAgent;
  private listener: RootListener | undefined;
  private readonly connections = new Map<number, { poller: PollerHandle; received: HandoffBuffer }>();
  private readonly listeners = new Map<number, Listener>();
  private readonly counts = new Map<string, CountedRecord>();
  /** Notifications answered, and listeners (processes runc started) served. */
  notifications = 0;
  listenersServed = 0;

  constructor(
    private readonly socketPath: string,
    private readonly log: (msg: string) => void,
    native?: NativeAgent,
  ) {
    this.native = native ?? loadNative();
  }

  start(): void {
    this.listener = RootListener.listen(this.native, this.socketPath, 16, (_l, m) => this.log(m), (fd) => {
      const conn = { poller: undefined as unknown as PollerHandle, received: new HandoffBuffer() };
      this.connections.set(fd, conn);
      conn.poller = new this.native.Poller(fd, () => this.read(fd));
    });
  }

  /** Whether a listener is still open (the container's processes still run). */
  get active(): number {
    return this.listeners.size;
  }

  /** Everything seen so far, one entry per distinct record, most frequent first. */
  records(): CountedRecord[] {
    return [...this.counts.values()].sort((a, b) => b.count - a.count);
  }

  stop(): void {
    this.listener?.stop();
    this.listener = undefined;
    for (const fd of [...this.connections.keys()]) this.dropConnection(fd);
    for (const l of [...this.listeners.values()]) this.dropListener(l);
  }

  private read(fd: number): void {
    const conn = this.connections.get(fd);
    if (!conn) return;
    let got;
    try {
      got = conn.received.readFrom((bytes, fds) => this.native.recvWithFds(fd, bytes, fds));
    } catch (e) {
      this.log(`recvmsg: ${(e as Error).message}`);
      this.dropConnection(fd);
      return;
    }
    if (got === 'wait') return;
    this.dropConnection(fd);
    if (got === 'too-large') this.log('hand-off message too large; dropped');
    else this.take(got.body, got.fds);
  }

  private dropConnection(fd: number): void {
    const conn = this.connections.get(fd);
    if (!conn) return;
    this.connections.delete(fd);
    conn.poller.stop();
    this.native.closeFd(fd);
    for (const f of conn.received.fds) this.native.closeFd(f);
  }

  private take(body: string, fds: number[]): void {
    if (body === '' && fds.length === 0) return;
    const msg = parseHandoff(body, fds);
    for (const fd of msg.closeFds) this.native.closeFd(fd);
    if (!msg.ok) {
      this.log(`hand-off refused: ${msg.error}`);
      return;
    }
    if (!isSeccompNotifyFd(msg.seccompFd)) {
      this.native.closeFd(msg.seccompFd);
      this.log('hand-off fd is not a seccomp listener');
      return;
    }
    const l: Listener = { fd: msg.seccompFd, poller: undefined as unknown as PollerHandle, phase: INITIAL_PHASE };
    this.listeners.set(l.fd, l);
    this.listenersServed++;
    const P = this.native.pollConstants;
    l.poller = new this.native.Poller(l.fd, (revents) => {
      if (revents & P.POLLIN) this.drain(l);
      else if (revents & (P.POLLHUP | P.POLLERR | P.POLLNVAL)) this.dropListener(l);
    });
  }

  private drain(l: Listener): void {
    for (;;) {
      let n: SeccompNotif | null;
      try {
        n = this.native.notifRecv(l.fd);
      } catch (e) {
        this.log(`notification: ${(e as Error).message}`);
        this.dropListener(l);
        return;
      }
      if (n === null) return;
      this.answer(l, n);
    }
  }

  private answer(l: Listener, n: SeccompNotif): void {
    const syscall = syscallLabel(n.data.arch, n.data.nr);
    const image = phaseNeedsImage(l.phase) ? readTaskImage(n.pid) : undefined;
    const { phase, state, entrypoint } = nextPhase(l.phase, syscall, image);
    // Read before answering: once the call continues, its memory may be gone.
    const rec: CallRecord = { syscall, phase, ...observeArgs(n.pid, syscall, n.data.args), ...(entrypoint ? { entrypoint } : {}) };
    try {
      this.native.notifSend(l.fd, n.id, 0n, 0, this.native.seccompConstants.SECCOMP_USER_NOTIF_FLAG_CONTINUE);
    } catch (e) {
      // ENOENT: interrupted by a signal; the kernel sends the call again, counted then.
      if (!isNativeError(e, 'ENOENT')) this.log(`answer: ${(e as Error).message}`);
      return;
    }
    l.phase = state;
    this.notifications++;
    const key = JSON.stringify(rec);
    const had = this.counts.get(key);
    if (had) had.count++;
    else this.counts.set(key, { ...rec, count: 1 });
  }

  private dropListener(l: Listener): void {
    if (!this.listeners.delete(l.fd)) return;
    l.poller.stop();
    this.native.closeFd(l.fd);
  }
}
