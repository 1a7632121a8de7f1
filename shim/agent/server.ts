/**
 * The agent process: one per host, serving every container. This file is its lifecycle: the
 * socket and single-instance lock, runc's connections (handoff.ts parses what they send),
 * and the listener fds with their fair, rate-limited service; respond.ts answers each
 * notification. Each listener fd gets its own ListenerState (see decide.ts). When every task
 * of a filter is gone the fd reports POLLHUP and the agent closes it and forgets it: nothing
 * accumulates per container.
 *
 * Never stalled by one container: listeners are served round-robin, a few notifications per
 * turn (fair-scheduler.ts); each container has a notification rate (past it, its listener is
 * paused and its calls wait in the kernel while the others are served) and a denial-log line
 * rate (past it, lines are summarised); no call on this loop waits on anything a container
 * controls (respond.ts, open-as.ts).
 *
 * Fail closed: if this process dies, the kernel answers every notified call of the running
 * containers with ENOSYS (the listener is gone), so nothing the agent would deny succeeds.
 */
import { dirname } from 'node:path';
import { OpenclawError } from '../errors.js';
import { formatLogLine } from '../daemon-log.js';
import { INITIAL_LISTENER_STATE, type AgentPolicy, type ListenerState } from './decide.js';
import { DenialLog, type DenialLogOptions } from './denial-log.js';
import { FairScheduler, type ServeOutcome } from './fair-scheduler.js';
import { HandoffBuffer, isSeccompNotifyFd, parseHandoff } from './handoff.js';
import { parseListenerMetadata, type ListenerMetadata } from './metadata.js';
import { loadNative, type NativeAgent, type PollerHandle, type SeccompNotif } from './native.js';
import { RootSocket } from './root-peers.js';
import { utf8ToBinary } from './proc.js';
import { KeyedLimiter, type RateLimit } from './rate-limit.js';
import { Responder, type AgentLog, type ListenerView } from './respond.js';
import { checkKernel } from './kernel.js';
import { Counter, Gauge, Histogram, LATENCY_BUCKETS, renderAll, type Metric } from '../metrics.js';
import { StatsSocket, agentStatsSocket } from './stats-socket.js';

export interface AgentServerOptions {
  socketPath: string;
  denialLog: string;
  native?: NativeAgent;
  log?: AgentLog;
  /** Notifications one listener is served per turn before the others (default 2). */
  quantum?: number;
  /** Notifications per container (default 2000/s, burst 4000). */
  perContainer?: RateLimit;
  /** Denial log bounds (rotation, per-container lines); file comes from denialLog. */
  denialLogLimits?: Omit<DenialLogOptions, 'file' | 'onError' | 'beforeWrite'>;
  /** Awaited before each denial-log write (agent.ts re-reads a changed config there). */
  beforeDenialWrite?: () => Promise<void>;
  /** Metrics of the caller's own (config reloads) added to the stats text. */
  extraMetrics?: readonly Metric[];
}

export const AGENT_DEFAULTS = { quantum: 2, perContainer: { perSecond: 2000, burst: 4000 } } as const;

const CONNECTION_TIMEOUT_MS = 5000;
/** With no metadata we cannot know the profile's intent: strictest reading. */
const FALLBACK_POLICY: AgentPolicy = { errno: 1, writable: [] };

interface Connection {
  fd: number;
  poller: PollerHandle;
  received: HandoffBuffer;
  timer: NodeJS.Timeout;
}

interface Listener extends ListenerView {
  poller: PollerHandle;
  state: ListenerState;
  /** Set while the container is past its rate: when it fires the listener is served again. */
  parked: NodeJS.Timeout | undefined;
}

export class AgentServer {
  private readonly native: NativeAgent;
  private readonly log: NonNullable<AgentServerOptions['log']>;
  private socket: RootSocket | undefined;
  private readonly connections = new Set<Connection>();
  private readonly listeners = new Map<number, Listener>();
  /** Listeners per container (init and each exec share the container's limits). */
  private readonly perContainer = new Map<string, number>();
  private readonly rate: KeyedLimiter<string>;
  private readonly rateLimited = new Set<string>();
  private readonly scheduler: FairScheduler<Listener>;
  private readonly denials: DenialLog;
  private readonly responder: Responder;
  private denialTick: NodeJS.Timeout | undefined;
  private statsSocket: StatsSocket | undefined;
  readonly metrics = {
    notifications: new Counter('openclaw_agent_notifications_total', 'Seccomp notifications answered'),
    denials: new Counter('openclaw_agent_denials_total', 'Calls denied (by the agent, or by the filter and logged through it), by profile and system call'),
    latency: new Histogram('openclaw_agent_response_seconds', 'Time from receiving a notification to answering it', LATENCY_BUCKETS),
    handoffs: new Counter('openclaw_agent_listeners_received_total', 'Listener fds runc handed over (one per container start or exec)'),
  };

  constructor(private readonly opts: AgentServerOptions) {
    this.native = opts.native ?? loadNative();
    this.log = opts.log ?? ((level, msg) => process.stderr.write(formatLogLine(level, msg, { daemon: 'agent', pid: process.pid })));
    this.rate = new KeyedLimiter(opts.perContainer ?? AGENT_DEFAULTS.perContainer);
    this.denials = new DenialLog({ ...opts.denialLogLimits, file: opts.denialLog, onError: (msg) => this.log('warn', msg), beforeWrite: opts.beforeDenialWrite });
    const denials = this.denials;
    const counted = this.metrics.denials;
    this.responder = new Responder(
      this.native,
      {
        record: (entry) => {
          counted.inc({ profile: entry.profile, syscall: entry.syscall });
          denials.record(entry);
        },
      },
      this.log,
    );
    this.scheduler = new FairScheduler<Listener>({
      quantum: opts.quantum ?? AGENT_DEFAULTS.quantum,
      serveOne: (l) => this.serveOne(l),
      onIdle: (l) => l.poller.resume(),
      schedule: (turn) => setImmediate(turn),
    });
  }

  /** The Prometheus text `openclaw-runtime stats` prints (metrics.ts). */
  statsText(): string {
    const gauges = [
      new Gauge('openclaw_agent_listeners', 'Listener fds open now (a container\'s init and each exec has one)', () => this.listeners.size),
      new Gauge('openclaw_agent_containers', 'Containers served now', () => this.perContainer.size),
      new Gauge('openclaw_agent_connections', 'Connections from runc being read now', () => this.connections.size),
      new Gauge('openclaw_agent_rate_limited_containers', 'Containers that reached their notification rate since they started', () => this.rateLimited.size),
    ];
    const m = this.metrics;
    return renderAll([m.notifications, m.latency, m.denials, m.handoffs, ...gauges, ...(this.opts.extraMetrics ?? [])]);
  }

  /** Containers (listener fds) currently served and connections being read: for tests and status. */
  stats(): { listeners: number; connections: number } {
    return { listeners: this.listeners.size, connections: this.connections.size };
  }

  /** Where denials are written now. */
  get denialLog(): string {
    return this.denials.file;
  }

  /** Later denials go to `file` (a config reload moved agent.denial_log). */
  setDenialLog(file: string): void {
    this.denials.setFile(file);
  }

  start(): void {
    checkKernel(this.native);
    const { socketPath } = this.opts;
    this.socket = RootSocket.listen(this.native, { dir: dirname(socketPath), lockPath: `${socketPath}.lock`, socketPath, backlog: 128, log: this.log, onRootPeer: (fd) => this.accepted(fd) });
    if (!this.socket) {
      throw new OpenclawError('agent', 'another seccomp agent already serves this socket', {
        file: socketPath,
        fix: 'use the running agent, or stop it first',
      });
    }
    // Files the agent creates for a task get exactly the task's mode less the task's umask
    // (open-as.ts applies it); the agent's own files all name their mode.
    process.umask(0);
    this.denialTick = setInterval(() => this.denials.tick(), 1000);
    this.denialTick.unref();
    this.statsSocket = new StatsSocket(this.native, agentStatsSocket(socketPath), () => this.statsText(), this.log);
    this.statsSocket.start();
    this.log('info', `listening on ${socketPath} (pid ${process.pid}; stats on ${this.statsSocket.path})`);
  }

  /** Stops listening and closes every fd it holds. Running containers' notified calls then fail (ENOSYS). */
  stop(): void {
    this.stopListening();
  }

  /** Stops, then waits until the denial log has been written. */
  async stopAndFlush(): Promise<void> {
    this.stopListening();
    await this.denials.flush();
  }

  private stopListening(): void {
    this.statsSocket?.stop();
    this.statsSocket = undefined;
    this.socket?.stopAccepting();
    for (const c of [...this.connections]) this.dropConnection(c);
    for (const l of [...this.listeners.values()]) this.dropListener(l);
    if (this.denialTick) clearInterval(this.denialTick);
    this.denialTick = undefined;
    this.socket?.release();
  }

  // ---- connections from runc ----

  private accepted(fd: number): void {
    const conn: Connection = { fd, received: new HandoffBuffer(), poller: undefined as unknown as PollerHandle, timer: undefined as unknown as NodeJS.Timeout };
    conn.timer = setTimeout(() => {
      this.log('warn', 'connection sent no complete message in time; dropped');
      this.dropConnection(conn);
    }, CONNECTION_TIMEOUT_MS);
    conn.poller = new this.native.Poller(fd, () => this.readConnection(conn));
    this.connections.add(conn);
  }

  private readConnection(conn: Connection): void {
    let got;
    try {
      got = conn.received.readFrom((bytes, fds) => this.native.recvWithFds(conn.fd, bytes, fds));
    } catch (e) {
      this.log('warn', `recvmsg: ${(e as Error).message}`);
      this.dropConnection(conn);
      return;
    }
    if (got === 'wait') return;
    this.dropConnection(conn);
    if (got === 'too-large') this.log('warn', 'connection message too large; dropped');
    else this.handleMessage(got.body, got.fds);
  }

  private dropConnection(conn: Connection): void {
    if (!this.connections.delete(conn)) return;
    clearTimeout(conn.timer);
    conn.poller.stop();
    this.native.closeFd(conn.fd);
    for (const fd of conn.received.fds) this.native.closeFd(fd);
  }

  /** One ContainerProcessState from runc: keep the seccomp fd, close anything else. */
  private handleMessage(body: string, fds: number[]): void {
    if (body === '' && fds.length === 0) return; // a liveness probe (ensureAgent's connect)
    const msg = parseHandoff(body, fds);
    for (const fd of msg.closeFds) this.native.closeFd(fd);
    if (!msg.ok) {
      this.log('warn', `${msg.error}; closing its fds`);
      return;
    }
    const { container, seccompFd } = msg;
    if (!isSeccompNotifyFd(seccompFd)) {
      this.log('warn', `container ${container}: fd is not a seccomp listener`);
      this.native.closeFd(seccompFd);
      return;
    }
    const meta = parseListenerMetadata(msg.metadata);
    if (!meta.ok) this.log('warn', `container ${container}: ${meta.error}; denying everything after the first execve`);
    const policy: AgentPolicy = meta.ok ? policyOf(meta.value) : FALLBACK_POLICY;
    const listener: Listener = {
      fd: seccompFd,
      poller: undefined as unknown as PollerHandle,
      state: INITIAL_LISTENER_STATE,
      // Paths from the task are bytes in binary form; the profile's are UTF-8 text.
      policy: { ...policy, writable: policy.writable.map(utf8ToBinary) },
      container,
      profile: meta.ok ? meta.value.profile : '?',
      parked: undefined,
    };
    this.listeners.set(seccompFd, listener);
    this.metrics.handoffs.inc();
    this.perContainer.set(container, (this.perContainer.get(container) ?? 0) + 1);
    listener.poller = new this.native.Poller(seccompFd, (revents) => this.onListener(listener, revents));
    this.log('info', `container ${container}: serving listener (pid ${String(msg.pid)}, profile ${listener.profile})`);
  }

  // ---- seccomp notifications ----

  /** Readiness: pending notifications wait their turn (the poller pauses until the listener is idle again). */
  private onListener(l: Listener, revents: number): void {
    const P = this.native.pollConstants;
    if (revents & P.POLLIN) {
      l.poller.pause();
      if (l.parked === undefined) this.scheduler.ready(l);
      return;
    }
    if (revents & (P.POLLHUP | P.POLLERR | P.POLLNVAL)) this.dropListener(l);
  }

  /** One notification of l, if its container is within its rate. */
  private serveOne(l: Listener): ServeOutcome {
    const now = Date.now();
    if (!this.rate.available(l.container, now)) {
      const wait = this.rate.waitMs(l.container, now);
      if (!this.rateLimited.has(l.container)) {
        this.rateLimited.add(l.container);
        this.log('warn', `container ${l.container}: notification rate limit reached; its calls wait their turn (logged once per container)`);
      }
      l.parked = setTimeout(() => {
        l.parked = undefined;
        if (this.listeners.get(l.fd) === l) this.scheduler.ready(l);
      }, Math.max(1, wait));
      return 'held';
    }
    let n: SeccompNotif | null;
    try {
      n = this.native.notifRecv(l.fd);
    } catch (e) {
      this.log('error', `container ${l.container}: ${(e as Error).message}`);
      this.dropListener(l);
      return 'held';
    }
    if (n === null) return 'empty';
    this.rate.take(l.container, now);
    const t0 = process.hrtime.bigint();
    this.responder.handle(l, n);
    this.metrics.latency.observe(Number(process.hrtime.bigint() - t0) / 1e9);
    this.metrics.notifications.inc();
    return 'served';
  }

  private dropListener(l: Listener): void {
    if (!this.listeners.delete(l.fd)) return;
    this.scheduler.remove(l);
    if (l.parked) clearTimeout(l.parked);
    l.parked = undefined;
    l.poller.stop();
    this.native.closeFd(l.fd);
    const left = (this.perContainer.get(l.container) ?? 1) - 1;
    if (left > 0) {
      this.perContainer.set(l.container, left);
    } else {
      this.perContainer.delete(l.container);
      this.rate.forget(l.container);
      this.rateLimited.delete(l.container);
      this.denials.containerGone(l.container);
    }
    this.log('info', `container ${l.container}: listener closed`);
  }
}

/** Everything in the metadata but its identity (format version, profile name and hash) is policy for decide(). */
function policyOf(meta: ListenerMetadata): AgentPolicy {
  const { v: _version, profile: _profile, sha256: _sha256, ...policy } = meta;
  return policy;
}
