/**
 * runc's hand-off on the agent's socket: once per process it starts, runc connects and sends
 * the seccomp listener fd with SCM_RIGHTS plus a JSON ContainerProcessState (runtime-spec
 * specs-go/state.go):
 *   {"ociVersion","fds":["seccompFd"],"pid":N,"metadata":"...","state":{"id","status","pid","bundle",...}}
 * This file is the whole reading of it, with no fd touched: framing (HandoffBuffer), the
 * message (parseHandoff, pure) and the one check that asks the kernel (isSeccompNotifyFd).
 * server.ts owns the connections and closes what a parse says to close.
 */
import { readlinkSync } from 'node:fs';
import { z } from 'zod';

/** Bounds on what one connection may send: runc's message is a few KiB. */
export const MAX_HANDOFF_BYTES = 1 << 20;
export const MAX_HANDOFF_FDS = 4;

/** runtime-spec's name for the listener fd in `fds` (specs.SeccompFdName). */
export const SECCOMP_FD_NAME = 'seccompFd';

/**
 * runtime-spec's ContainerProcessState, every field optional: the agent reads fds, pid,
 * metadata and state.id, and a message missing the others is still runc's to have sent.
 * Unknown fields pass (a newer runc may add some).
 */
export const ContainerProcessStateSchema = z.object({
  ociVersion: z.string().optional(),
  fds: z.array(z.string()).max(64).optional(),
  pid: z.number().int().optional(),
  metadata: z.string().optional(),
  state: z
    .object({
      ociVersion: z.string().optional(),
      id: z.string().max(1024).optional(),
      status: z.string().optional(),
      pid: z.number().int().optional(),
      bundle: z.string().optional(),
      annotations: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
});

/** One message: the listener fd to serve, or why not. Either way closeFds are the caller's to close. */
export type Handoff =
  | { ok: true; container: string; pid: number | undefined; metadata: string | undefined; seccompFd: number; closeFds: number[] }
  | { ok: false; error: string; closeFds: number[] };

export function isCompleteJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * The bytes and fds one connection has sent so far. runc 1.1.5 never closes its end (it
 * closes only a dup of the socket), so a message ends where its JSON is complete, or at end
 * of stream (an empty liveness probe, or a sender that does close).
 */
export class HandoffBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  /** Received and not yet handed over: the connection closes these if it is dropped. */
  fds: number[] = [];

  /** What one recvmsg returned (empty data: end of stream). */
  add(data: Buffer, fds: readonly number[]): 'complete' | 'more' | 'too-large' {
    this.fds.push(...fds);
    if (data.length === 0) return 'complete';
    this.chunks.push(data);
    this.size += data.length;
    if (this.size > MAX_HANDOFF_BYTES || this.fds.length > MAX_HANDOFF_FDS) return 'too-large';
    return isCompleteJson(this.body()) ? 'complete' : 'more';
  }

  /**
   * Reads what the connection has (`recv`: one recvmsg, null when nothing more is readable now;
   * its errors are the caller's) until a message is complete: 'wait' for the next readable
   * event, 'too-large', or the message, whose fds then belong to the caller.
   */
  readFrom(recv: (maxBytes: number, maxFds: number) => { data: Buffer; fds: number[] } | null): 'wait' | 'too-large' | { body: string; fds: number[] } {
    for (;;) {
      const msg = recv(64 * 1024, MAX_HANDOFF_FDS);
      if (msg === null) return 'wait';
      const state = this.add(msg.data, msg.fds);
      if (state === 'more') continue;
      return state === 'too-large' ? 'too-large' : this.take();
    }
  }

  /** The message and its fds, which from now on belong to the caller. */
  take(): { body: string; fds: number[] } {
    const fds = this.fds;
    this.fds = [];
    return { body: this.body(), fds };
  }

  private body(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/**
 * Reads one message and sorts its fds: the seccomp listener (by its name in `fds`) and the
 * rest (to close). Refused, as runc's own agent (contrib/cmd/seccompagent parseStateFds)
 * refuses them: no seccompFd named, seccompFd named twice, or named at an index past the fds sent.
 */
export function parseHandoff(body: string, fds: readonly number[]): Handoff {
  const refuse = (error: string): Handoff => ({ ok: false, error, closeFds: [...fds] });
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    return refuse('message is not JSON');
  }
  const r = ContainerProcessStateSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    return refuse(`message field ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  const container = r.data.state?.id ?? '?';
  const names = r.data.fds ?? [];
  const idx = names.indexOf(SECCOMP_FD_NAME);
  if (idx < 0) return refuse(`container ${container}: message without a ${SECCOMP_FD_NAME}`);
  if (names.indexOf(SECCOMP_FD_NAME, idx + 1) >= 0) return refuse(`container ${container}: message names ${SECCOMP_FD_NAME} twice`);
  const seccompFd = fds[idx];
  if (seccompFd === undefined) return refuse(`container ${container}: message names ${SECCOMP_FD_NAME} at index ${idx} but carries ${fds.length} fds`);
  return {
    ok: true,
    container,
    pid: r.data.pid,
    metadata: r.data.metadata,
    seccompFd,
    closeFds: fds.filter((_, i) => i !== idx),
  };
}

/** Whether fd is a seccomp user-notification listener (what the kernel says, not what runc named it). */
export function isSeccompNotifyFd(fd: number): boolean {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`) === 'anon_inode:seccomp notify';
  } catch {
    return false;
  }
}
