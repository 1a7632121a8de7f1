/**
 * A daemon's stats socket: a unix socket that only root can connect to (made under umask 077,
 * 0600, in the daemon's 0700 root directory; every peer checked by SO_PEERCRED in the accept loop
 * every root socket shares, root-peers.ts). Each connection gets the current
 * Prometheus text (metrics.ts) and is closed; nothing is read from it, so a client cannot make
 * the daemon wait, and the write is Node's non-blocking socket write (a client that never reads
 * is dropped after CONNECTION_TIMEOUT_MS). `openclaw-runtime stats` reads it (commands/stats.ts).
 *
 *   agent:   <agent.socket>.stats        service: <service dir>/stats.sock
 */
import { Socket } from 'node:net';
import type { NativeAgent } from './native.js';
import { RootListener } from './root-peers.js';

const CONNECTION_TIMEOUT_MS = 5000;

export function agentStatsSocket(agentSocket: string): string {
  return `${agentSocket}.stats`;
}

export class StatsSocket {
  private listener: RootListener | undefined;
  /** Answers served (tests). */
  served = 0;

  constructor(
    private readonly native: NativeAgent,
    readonly path: string,
    private readonly render: () => string,
    private readonly log: (level: 'warn' | 'error', msg: string) => void,
  ) {}

  /** The caller holds the daemon's lock: a file at `path` is a dead daemon's. */
  start(): void {
    this.listener = RootListener.listen(this.native, this.path, 16, this.log, (fd) => this.answer(fd));
  }

  stop(): void {
    this.listener?.stop();
    this.listener = undefined;
  }

  private answer(fd: number): void {
    const sock = new Socket({ fd, readable: false, writable: true });
    const timer = setTimeout(() => sock.destroy(), CONNECTION_TIMEOUT_MS);
    timer.unref();
    sock.on('error', () => sock.destroy());
    sock.on('close', () => clearTimeout(timer));
    let text: string;
    try {
      text = this.render();
    } catch (e) {
      this.log('error', `stats: ${(e as Error).message}`);
      sock.destroy();
      return;
    }
    this.served++;
    sock.end(text);
  }
}
