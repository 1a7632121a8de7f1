/**
 * The resident openclaw service: holds the config, the compiled profiles and the merge code
 * warm, and answers the native launcher's create/run/exec/features/delete requests over a unix
 * socket (protocol.ts), so no container start pays for Node's start-up.
 *
 * A sibling of the seccomp agent, not the agent itself: the agent must never block (every
 * notified syscall of every running container waits on its event loop), while a merge does
 * synchronous file I/O and CPU work for milliseconds; a service that crashes on a bad request
 * or restarts for new code costs one Node fallback, whereas the agent cannot restart without
 * failing the running containers' notified calls (the listener fds die with it).
 *
 * Trust: the directory is 0700 root, the socket 0600 and bound under umask 077, and every
 * connection's peer credentials (SO_PEERCRED) must be uid 0, else it is closed unread. One
 * request per connection, at most MAX_REQUEST_BYTES, read within CONNECTION_TIMEOUT_MS.
 * A flock on service.lock makes one service per directory; its pid is in the lock file.
 *
 * Never stale: the config is read per request (stat first, see resolved.ts; a changed file is
 * logged with the settings that changed, handle.ts noteConfig); SIGHUP drops the caches. The code is
 * checked per request too: when the build stamp on disk (build-stamp.ts) is no longer the one
 * this process started with (a new build), or a request speaks another protocol version, the
 * service answers "use Node" and exits, and the next call starts a current one.
 */
import { statSync } from 'node:fs';
import { Socket } from 'node:net';
import { OpenclawError } from '../errors.js';
import { buildStamp, currentBuildStamp } from '../build-stamp.js';
import { formatLogLine } from '../daemon-log.js';
import { loadNative, type NativeAgent } from '../agent/native.js';
import { RootSocket } from '../agent/root-peers.js';
import { handleRequest, nodePath, type HandlerContext } from './handle.js';
import { decodeRequest, encodeResponse, MAX_REQUEST_BYTES, SERVICE_PROTOCOL_VERSION, type ServiceResponse } from './protocol.js';
import { serviceSocket } from './paths.js';
import { parseArgv } from '../cli/argv.js';
import { Counter, CounterOf, Gauge, Histogram, LATENCY_BUCKETS, renderAll } from '../metrics.js';
import { StatsSocket } from '../agent/stats-socket.js';
import { SERVICE_COMMANDS } from './handle.js';

const CONNECTION_TIMEOUT_MS = 5000;

export interface ServiceServerOptions {
  dir: string;
  /** Exit after this long without a request (on-demand starts); 0 = never. */
  idleExitMs?: number;
  native?: NativeAgent;
  log?: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
  /** Called when the service decides to end (idle, stale code, version mismatch). */
  onExit?: (why: string) => void;
}

export class ServiceServer {
  private readonly native: NativeAgent;
  private readonly log: NonNullable<ServiceServerOptions['log']>;
  private socket: RootSocket | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly startStamp = buildStamp();
  private readonly ctx: HandlerContext;
  private stopping = false;
  /** Requests being served now: for tests and the bench. */
  inFlight = 0;
  served = 0;
  private statsSocket: StatsSocket | undefined;
  readonly metrics = {
    requests: new Counter('openclaw_service_requests_total', 'Requests answered, by command and answer (exec: the launcher execs the runtime; exit: answered here; node: use the Node path)'),
    latency: new Histogram('openclaw_service_request_seconds', 'Time to answer a request, by command (create and run: the whole merge)', LATENCY_BUCKETS),
  };

  constructor(private readonly opts: ServiceServerOptions) {
    this.native = opts.native ?? loadNative();
    this.log = opts.log ?? ((level, msg) => process.stderr.write(formatLogLine(level, msg, { daemon: 'service', pid: process.pid })));
    this.ctx = { serviceDir: opts.dir, featuresCache: new Map(), configsSeen: new Map(), configReloads: 0, log: this.log };
  }

  /** SIGHUP: forget what is cached (configs are read per request anyway; `features` answers are dropped). */
  reload(): void {
    const features = this.ctx.featuresCache.size;
    this.ctx.featuresCache.clear();
    this.ctx.configsSeen.clear();
    this.log('info', `reload (SIGHUP): ${features} cached features answers dropped; configs are read per request`);
  }

  /** The Prometheus text `openclaw-runtime stats` prints (metrics.ts). */
  statsText(): string {
    return renderAll([
      this.metrics.requests,
      this.metrics.latency,
      new Gauge('openclaw_service_requests_in_flight', 'Requests being answered now', () => this.inFlight),
      new CounterOf('openclaw_service_config_reloads_total', 'Times a request found its config file changed since the last request that used it', () => this.ctx.configReloads),
    ]);
  }

  get socketPath(): string {
    return serviceSocket(this.opts.dir);
  }

  start(): void {
    const { dir } = this.opts;
    this.socket = RootSocket.listen(this.native, { dir, lockPath: `${dir}/service.lock`, socketPath: this.socketPath, backlog: 256, log: this.log, onRootPeer: (fd, pid) => this.serve(fd, pid) });
    if (!this.socket) throw new OpenclawError('service', 'another openclaw service already serves this directory', { file: dir, fix: 'use the running service, or stop it first (its pid is in service.lock)' });
    this.statsSocket = new StatsSocket(this.native, `${dir}/stats.sock`, () => this.statsText(), this.log);
    this.statsSocket.start();
    this.armIdle();
    this.log('info', `listening on ${this.socketPath} (pid ${process.pid}, protocol ${SERVICE_PROTOCOL_VERSION})`);
  }

  stop(): void {
    this.stopping = true;
    clearTimeout(this.idleTimer);
    this.statsSocket?.stop();
    this.statsSocket = undefined;
    this.socket?.stopAccepting();
    this.socket?.release();
  }

  private armIdle(): void {
    const ms = this.opts.idleExitMs ?? 0;
    if (ms <= 0) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.inFlight === 0) this.end('idle');
      else this.armIdle();
    }, ms);
    this.idleTimer.unref();
  }

  /** Stop accepting now; answer what is in flight; then tell the owner. */
  private end(why: string): void {
    if (this.stopping) return;
    this.log('info', `exiting: ${why}`);
    this.stop();
    const finish = (): void => {
      if (this.inFlight === 0) this.opts.onExit?.(why);
      else setTimeout(finish, 20);
    };
    finish();
  }

  private serve(fd: number, peerPid: number): void {
    this.inFlight++;
    this.armIdle();
    // allowHalfOpen: the client half-closes after its request; the answer still goes back.
    const sock = new Socket({ fd, readable: true, writable: true, allowHalfOpen: true });
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      this.inFlight--;
    };
    const timer = setTimeout(() => {
      sock.destroy();
      finish();
    }, CONNECTION_TIMEOUT_MS);
    sock.on('error', () => {
      sock.destroy();
      finish();
    });
    sock.on('data', (b: Buffer) => {
      size += b.length;
      if (size > MAX_REQUEST_BYTES) {
        this.log('warn', `request over ${MAX_REQUEST_BYTES} bytes; dropped`);
        sock.destroy();
        finish();
        return;
      }
      chunks.push(b);
    });
    sock.on('end', () => {
      if (done) return;
      clearTimeout(timer); // the request is complete; the answer may take a merge's time
      this.answer(Buffer.concat(chunks), peerPid).then(
        (response) => {
          sock.end(encodeResponse(response), () => {
            finish();
            sock.destroy();
          });
        },
        (err: unknown) => {
          // handleRequest answers every error itself; this is a bug: no answer, the launcher uses Node.
          this.log('error', `request failed: ${(err as Error)?.stack ?? String(err)}`);
          sock.destroy();
          finish();
        },
      );
    });
  }

  private async answer(body: Buffer, peerPid: number): Promise<ServiceResponse> {
    // Old code or another protocol first: a newer request may not even decode here.
    if (currentBuildStamp() !== this.startStamp) {
      this.end('the code on disk changed since this service started');
      return nodePath();
    }
    // The caller's paths (cwd, bundle, state dir) and the mounts a create makes (the rootfs bind
    // of a user namespace) belong to the caller's mount namespace, where runc will run: a caller
    // in another one (an engine started with private mounts, `unshare -m`) gets the Node path,
    // which runs there. The launcher waits for the answer, so its pid cannot be reused meanwhile.
    if (!sameMountNamespace(peerPid)) return nodePath();
    const version = peekVersion(body);
    if (version !== undefined && version !== SERVICE_PROTOCOL_VERSION) {
      this.end(`a client speaks protocol ${version}, this service ${SERVICE_PROTOCOL_VERSION}`);
      return nodePath();
    }
    let req;
    try {
      req = decodeRequest(body);
    } catch (e) {
      this.log('warn', `malformed request: ${(e as Error).message}`);
      return nodePath();
    }
    this.served++;
    const command = commandLabel(req.argv);
    const t0 = process.hrtime.bigint();
    const response = await handleRequest(this.ctx, req, peerPid);
    this.metrics.latency.observe(Number(process.hrtime.bigint() - t0) / 1e9, { command });
    this.metrics.requests.inc({ command, answer: response.status });
    return response;
  }
}

/** The command of a request as a metric label: the service's own commands by name, the rest "pass-through" (labels stay bounded). */
function commandLabel(argv: readonly string[]): string {
  try {
    const command = parseArgv(argv).command;
    return command !== undefined && (SERVICE_COMMANDS as readonly string[]).includes(command) ? command : 'pass-through';
  } catch {
    return 'invalid';
  }
}

/** Whether process `pid` shares this process's mount namespace (nsfs device and inode). */
function sameMountNamespace(pid: number): boolean {
  try {
    const theirs = statSync(`/proc/${pid}/ns/mnt`);
    const ours = statSync('/proc/self/ns/mnt');
    return theirs.dev === ours.dev && theirs.ino === ours.ino;
  } catch {
    return false;
  }
}

/** The version field of a request (the second NUL-terminated field), if it has one. */
function peekVersion(body: Buffer): number | undefined {
  const a = body.indexOf(0);
  const b = a < 0 ? -1 : body.indexOf(0, a + 1);
  if (b < 0) return undefined;
  const v = body.subarray(a + 1, b).toString('latin1');
  return /^\d{1,6}$/.test(v) ? Number(v) : undefined;
}
