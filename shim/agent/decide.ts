/**
 * The agent's whole policy, as a pure function: (listener state, notification, policy,
 * optionally the path the server read) -> decision + next state. One state per seccomp fd,
 * i.e. per process runc starts (the container's init, and each `runc exec`).
 *
 *  - Before the first execve every notified call continues: that is runc's own init (the
 *    exec fifo opened for writing, setuid/capset, ...). No workload code runs yet.
 *  - The first execve continues (the entrypoint); every later execve/execveat is denied.
 *  - After it, write-class opens are denied unless the path is in the profile's writable
 *    list; those the server opens itself inside the container's root and injects the fd.
 *    A decision that depends on the path (read from the task's memory) is never CONTINUE:
 *    the memory can change between our read and the kernel's.
 *  - Anything else notified after the first execve is denied (calls only runc's init needs).
 */
import { CALL_LAYOUTS, OPEN_FLAGS, WRITE_CLASS_MASK, syscallName, type CallLayout } from './syscalls.js';
import { isWritablePath, normalizeContainerPath } from './paths.js';

export interface ListenerState {
  /** The first execve has been let through. */
  readonly execveSeen: boolean;
  /**
   * /proc/PID/exe of runc's init as seen before the first execve. An execve notified after the
   * first one, from a task whose exe is still this, is the entrypoint's execve again: the first
   * was let through but did not complete (interrupted and restarted), so no workload has run.
   */
  readonly initExe?: string;
}

export const INITIAL_LISTENER_STATE: ListenerState = Object.freeze({ execveSeen: false });

/** What decide needs from the profile (from the listenerMetadata). */
export interface AgentPolicy {
  errno: number;
  writable: readonly string[];
}

/** The registers of a notified call (seccomp_data). */
export interface CallData {
  nr: number;
  arch: number;
  args: readonly bigint[];
}

/** The path argument as the server read it, and the directory a relative one is relative to. */
export type PathInput =
  | { ok: true; path: string; /** absolute container path of cwd / dirfd, for a relative path */ base?: string }
  | { ok: false; reason: string };

export type Decision =
  | { kind: 'continue'; reason: string }
  | { kind: 'deny'; errno: number; reason: string }
  /** Read the path string at args[pathArg] (and the base of args[dirfdArg] if relative), then decide again. */
  | { kind: 'need-path'; pathArg: number; dirfdArg?: number }
  /** Open `path` inside the container's root with these flags/mode and inject the fd. */
  | { kind: 'inject'; path: string; flags: number; mode: number; cloexec: boolean; reason: string };

export interface DecideResult {
  decision: Decision;
  state: ListenerState;
}

const u32 = (v: bigint | undefined): number => Number(BigInt.asUintN(32, v ?? 0n));

function openFlags(layout: Extract<CallLayout, { kind: 'open' }>, args: readonly bigint[]): number {
  return layout.flagsArg === undefined ? (layout.fixedFlags ?? 0) : u32(args[layout.flagsArg]);
}

export function isWriteClassOpen(flags: number): boolean {
  return (flags & WRITE_CLASS_MASK) !== 0;
}

/**
 * `taskExe`: the calling task's /proc/PID/exe, read by the server for execve notifications and
 * for everything before the first execve (kernel state, not the task's memory).
 */
export function decide(state: ListenerState, call: CallData, policy: AgentPolicy, path?: PathInput, taskExe?: string): DecideResult {
  const name = syscallName(call.arch, call.nr);
  const layout = name === undefined ? undefined : CALL_LAYOUTS[name];

  if (!state.execveSeen) {
    const seen = state.initExe === undefined && taskExe !== undefined ? { ...state, initExe: taskExe } : state;
    if (layout?.kind === 'exec') {
      return { decision: { kind: 'continue', reason: 'first execve' }, state: { ...seen, execveSeen: true } };
    }
    return { decision: { kind: 'continue', reason: 'before the first execve (runc init)' }, state: seen };
  }

  const deny = (reason: string): DecideResult => ({ decision: { kind: 'deny', errno: policy.errno, reason }, state });

  if (layout === undefined) return deny('only allowed before the first execve');
  if (layout.kind === 'exec') {
    if (state.initExe !== undefined && taskExe === state.initExe) {
      return { decision: { kind: 'continue', reason: 'the first execve again (it did not complete: the task is still runc init)' }, state };
    }
    return deny('execve after the first execve');
  }

  const flags = openFlags(layout, call.args);
  // Decided on registers alone: a read-only open cannot change after our check.
  if (!isWriteClassOpen(flags)) return { decision: { kind: 'continue', reason: 'read-only open' }, state };
  if (policy.writable.length === 0) return deny('write-open (no writable paths)');

  if (path === undefined) {
    return {
      decision: { kind: 'need-path', pathArg: layout.pathArg, ...(layout.dirfdArg === undefined ? {} : { dirfdArg: layout.dirfdArg }) },
      state,
    };
  }
  if (!path.ok) return deny(`write-open: ${path.reason}`);
  if (!path.path.startsWith('/') && path.base === undefined) return deny('write-open: relative path with unknown base');
  const full = normalizeContainerPath(path.path, path.base);
  if (full === undefined) return deny('write-open: unusable path');
  if (!isWritablePath(full, policy.writable)) return deny('write-open outside writable paths');
  return {
    decision: {
      kind: 'inject',
      path: full,
      flags: flags & ~OPEN_FLAGS.O_CLOEXEC,
      mode: u32(call.args[layout.modeArg]) & 0o7777,
      cloexec: (flags & OPEN_FLAGS.O_CLOEXEC) !== 0,
      reason: 'write-open in writable path',
    },
    state,
  };
}
