/**
 * runc's hand-off on the agent's socket: once per process it starts, runc connects and sends
 * the seccomp listener fd with SCM_RIGHTS plus a JSON ContainerProcessState:
 *   {"ociVersion","fds":["seccompFd"],"pid":N,"metadata":"...","state":{"id","status","pid","bundle",...}}
 * runc 1.1.5 never closes its end, so a message ends where its JSON is complete.
 * Only the fields the agent uses are read; runc's other fields pass unchecked.
 */
import { z } from 'zod';

const HandoffSchema = z.object({
  fds: z.array(z.string()).max(64).optional(),
  pid: z.number().int().optional(),
  metadata: z.string().optional(),
  state: z.object({ id: z.string().max(1024).optional() }).optional(),
});

export type Handoff =
  | { ok: true; container: string; pid: number | undefined; metadata: string | undefined; seccompFd: number | undefined; otherFds: number[] }
  | { ok: false; error: string; otherFds: number[] };

export function isCompleteJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Parses one message and sorts its fds: the seccomp listener (by its name in `fds`) and the rest (to close). */
export function parseHandoff(body: string, fds: readonly number[]): Handoff {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    return { ok: false, error: 'message is not JSON', otherFds: [...fds] };
  }
  const r = HandoffSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    return { ok: false, error: `message field ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`, otherFds: [...fds] };
  }
  const idx = (r.data.fds ?? []).indexOf('seccompFd');
  const seccompFd = idx >= 0 ? fds[idx] : undefined;
  return {
    ok: true,
    container: r.data.state?.id ?? '?',
    pid: r.data.pid,
    metadata: r.data.metadata,
    seccompFd,
    otherFds: fds.filter((fd) => fd !== seccompFd),
  };
}
