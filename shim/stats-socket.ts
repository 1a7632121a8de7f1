/**
 * A daemon's stats socket: a unix socket that only root can connect to (made under umask 077,
 * 0600, in the daemon's 0700 root directory; every peer checked by SO_PEERCRED in the accept loop
 * the agent and the service share, agent/root-peers.ts). Each connection gets the current
 * Prometheus text (metrics.ts) and is closed; nothing is read from it, so a client cannot make
 * the daemon wait, and the write is Node's non-blocking socket write (a client that never reads
 * is dropped after CONNECTION_TIMEOUT_MS). `openclaw-runtime stats` reads it (commands/stats.ts).
 *
 *   agent:   <agent.socket>.stats        service: <service dir>/stats.sock
 */
import { chmodSync, unlinkSync } from 'node:fs';
import { Socket } from 'node:net';
import type { NativeAgent, PollerHandle } from './agent/native.js';
import { acceptRootPeers } from './agent/root-peers.js';

const CONNECTION_TIMEOUT_MS = 5000;

export function agentStatsSocket(agentSocket: string): string {
  return `${agentSocket}.stats`;
}

export class StatsSocket {
  private listenFd = -1;
  private poller: PollerHandle | undefined;
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
    try {
      unlinkSync(this.path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const old = process.umask(0o077);
    try {
      this.listenFd = this.native.listenUnix(this.path, 16);
    } finally {
      process.umask(old);
    }
    chmodSync(this.path, 0o600);
    this.poller = new this.native.Poller(this.listenFd, () => acceptRootPeers(this.native, this.listenFd, this.log, (fd) => this.answer(fd)));
  }

  stop(): void {
    this.poller?.stop();
    this.poller = undefined;
    if (this.listenFd >= 0) {
      this.native.closeFd(this.listenFd);
      this.listenFd = -1;
      try {
        unlinkSync(this.path);
      } catch {
        // already gone
      }
    }
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
