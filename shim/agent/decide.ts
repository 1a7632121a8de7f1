/**
 * The agent's whole policy, as a pure function: (listener state, notification, policy,
 * optionally the path the server read, the calling task's program image) -> decision + next
 * state. One state per seccomp fd, i.e. per process runc starts (the container's init, and
 * each `runc exec`).
 *
 *  - Before the first exec every notified call continues: that is runc's own init (the exec
 *    fifo opened for writing, Go runtime threads, ...). No workload code runs yet.
 *  - The first execve/execveat continues (the entrypoint). The compiler guarantees the agent
 *    sees it whenever anything is sent here (the exec-once invariant, seccomp/compile.ts).
 *  - Until the first exec is known to have completed, a call from a task that is still runc
 *    init (same program image, see TaskImage) continues: the exec was restarted or has not
 *    reached its point of no return, and init's other threads still run. The first call from
 *    any other image proves the exec completed; from then on there are no exceptions.
 *  - After it: exec calls the profile allows (policy.execAllowed) continue, others are denied;
 *    write-class opens of the calls readOnlyOpens gates (policy.writeGated; any other notified
 *    open is runc init's) are denied unless the path is in the profile's writable list, and
 *    those the server opens itself inside the container's root and injects the fd. A
 *    decision that depends on the path (read from the task's memory) is never CONTINUE: the
 *    memory can change between our read and the kernel's.
 *  - Anything else notified after the first exec is denied (calls only runc's init needs).
 *  - A call the profile's filter itself denies, sent here only to be logged (policy.filterDenials,
 *    the compiler's sendDenialsToAgent), is denied with the filter's errno in every phase,
 *    before the first exec too: runc's init gets what the kernel answered it before.
 *  - Audit mode (policy.audit, the profile's syscallFilter.audit): every decision above that
 *    would deny continues instead, carrying what it would have been (`wouldDeny`, which the
 *    server logs as "audit: would deny"), and a write-open in a writable path continues rather
 *    than being opened by the agent: the kernel opens it as the task, so the agent never holds
 *    more authority than the task. Such a CONTINUE may follow a read of the task's memory (the
 *    path): only the log line depends on that read, never the answer.
 *
 * Why a program image and not the /proc/PID/exe string (what this compared before): the
 * string is a name, and names can be forged. runc 1.1.5 runs init from a memfd whose link
 * reads "/memfd:runc_cloned:/proc/self/exe (deleted)"; an image whose entrypoint is a file at
 * /memfd:runc_cloned:/proc/self/exe that deletes itself reads the same, and every later exec
 * would have passed as "the first one, restarted". What cannot be forged from inside:
 *  - (st_dev, st_ino) of the exe (stat through the magic link reaches the file itself). runc's
 *    and crun's init run from a sealed memfd no container path names; the only way to run that
 *    file again is to exec it (an entrypoint of /proc/self/exe does exactly that), so the
 *    inode alone is not enough;
 *  - the layout of the task's memory map from /proc/PID/stat (start_code ... env_end). A
 *    successful exec always builds a new mm, placed at random by ASLR; the kernel sets these
 *    fields and a container cannot (prctl PR_SET_MM needs CAP_SYS_RESOURCE in the host's user
 *    namespace). A restarted execve never got as far as a new mm, so its layout is init's.
 * Both together: equal means "still runc init". On a host with ASLR off
 * (kernel.randomize_va_space=0) the layout of an entrypoint that re-runs runc's own binary
 * could repeat init's; docs/threat-model.md ("Seccomp filter and exec-once") says so.
 * Measured with runc 1.1.5 and crun 1.8.1: see that section.
 * Not usable: /proc/PID/stat starttime (an exec keeps it), the pid (an exec keeps it), comm
 * (prctl PR_SET_NAME), anything in the task's memory (the task can write it).
 */
import { CALL_LAYOUTS, OPEN_FLAGS, WRITE_CLASS_MASK, syscallName, type CallLayout } from './syscalls.js';
import { isWritablePath, normalizeContainerPath } from './paths.js';

/** A task's program image as the kernel reports it; see the header for why these fields. */
export interface TaskImage {
  /** st_dev and st_ino of /proc/PID/exe. */
  dev: bigint;
  ino: bigint;
  /** /proc/PID/stat fields 26-28 and 45-51 (start_code ... env_end), as the kernel prints them. */
  layout: string;
}

export function sameImage(a: TaskImage, b: TaskImage): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.layout === b.layout;
}

export interface ListenerState {
  /** The first execve has been let through. */
  readonly execveSeen: boolean;
  /** runc init's image, learned from the first notification (no workload code exists yet). */
  readonly initImage?: TaskImage;
  /** A notification came from an image other than init's after the first exec: it completed. */
  readonly execCompleted?: boolean;
}

export const INITIAL_LISTENER_STATE: ListenerState = Object.freeze({ execveSeen: false });

/** Whether decide needs the calling task's image for the next notification (the server reads it only then). */
export function needsTaskImage(state: ListenerState): boolean {
  if (!state.execveSeen) return state.initImage === undefined;
  return state.execCompleted !== true && state.initImage !== undefined;
}

/** A filter action the agent cannot give itself, only report in audit mode. */
export type AuditedAction = 'kill-process' | 'kill-thread' | 'trap';
/** [errno, field under spec.isolation.syscallFilter] or, in audit mode, with a non-errno action. */
export type FilterRule = readonly [number, string] | readonly [number, string, AuditedAction];

/** What decide needs from the profile (from the listenerMetadata). */
export interface AgentPolicy {
  errno: number;
  writable: readonly string[];
  /** Exec calls the profile allows: they continue after the first exec too. Default none. */
  execAllowed?: readonly string[];
  /** Open calls whose write-class opens readOnlyOpens sends here (gated by `writable`); other notified opens are runc init's. Default none. */
  writeGated?: readonly string[];
  /** The filter's own denials sent here to be logged (metadata.ts filterDenials). Default none. */
  filterDenials?: {
    readonly names: Readonly<Record<string, FilterRule>>;
    readonly default?: FilterRule;
    readonly agentCalls: readonly string[];
  };
  /** Audit mode: log what would be denied, allow it. Absent: enforce. */
  audit?: {
    readonly enforced?: readonly string[];
    /** Calls sent here whole: [index, op, value, valueTwo] ranges the filter denies, and its rule. */
    readonly conditional?: Readonly<Record<string, { readonly denied: ReadonlyArray<ReadonlyArray<readonly [number, string, string, string]>>; readonly rule: FilterRule }>>;
  };
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

/** What an audit-mode CONTINUE would have been under enforcement. */
export interface WouldDeny {
  errno: number;
  reason: string;
  rule?: string;
  /** The filter's action when it is not an errno (the filter would have killed or trapped). */
  action?: AuditedAction;
}

/** A final answer to a notified call: what the server carries out (respond.ts). */
export type Decision =
  /** wouldDeny: audit mode let through a call enforcement denies (logged by the server). */
  | { kind: 'continue'; reason: string; wouldDeny?: WouldDeny }
  /** rule: the profile field that denies the call (relative to spec.isolation.syscallFilter), when known. */
  | { kind: 'deny'; errno: number; reason: string; rule?: string; action?: AuditedAction }
  /** Open `path` inside the container's root with these flags/mode and inject the fd. */
  | { kind: 'inject'; path: string; flags: number; mode: number; cloexec: boolean; reason: string };

/** Not yet an answer: read the path string at args[pathArg] (and the base of args[dirfdArg] if relative), then decide again with it. */
export interface NeedPath {
  kind: 'need-path';
  pathArg: number;
  dirfdArg?: number;
}

/** With the path given, decide always answers. */
export interface Decided {
  decision: Decision;
  state: ListenerState;
}

export type DecideResult = Decided | { decision: NeedPath; state: ListenerState };

/** Whether decide asked for the path first (narrows the whole result, not only its decision). */
export function needsPath(r: DecideResult): r is { decision: NeedPath; state: ListenerState } {
  return r.decision.kind === 'need-path';
}

const u32 = (v: bigint | undefined): number => Number(BigInt.asUintN(32, v ?? 0n));

function openFlags(layout: Extract<CallLayout, { kind: 'open' }>, args: readonly bigint[]): number {
  return layout.flagsArg === undefined ? (layout.fixedFlags ?? 0) : u32(args[layout.flagsArg]);
}

export function isWriteClassOpen(flags: number): boolean {
  return (flags & WRITE_CLASS_MASK) !== 0;
}

/**
 * The filter's own denial of this call, if the compiler sent it here only to be logged: it is
 * listed by name, or it is not one of the agent's own calls (the compiler lists every call
 * it notifies for another reason in agentCalls) and the filter has an errno default. Unknown
 * numbers are not.
 */
export function filterDenial(name: string | undefined, policy: AgentPolicy): { errno: number; rule: string; action?: AuditedAction } | undefined {
  const fd = policy.filterDenials;
  if (fd === undefined || name === undefined) return undefined;
  const listed = Object.hasOwn(fd.names, name) ? fd.names[name] : undefined;
  const rule = listed ?? (fd.default === undefined || fd.agentCalls.includes(name) ? undefined : fd.default);
  if (rule === undefined) return undefined;
  return { errno: rule[0], rule: rule[1], ...(rule[2] === undefined ? {} : { action: rule[2] }) };
}

/**
 * One comparison of a call's argument as libseccomp and the kernel compute it (the same table
 * as seccomp/algebra.ts ATOM_EVAL, kept here so the agent loads no compiler code). An op it
 * does not know holds (fail towards logging).
 */
export function comparisonHolds([index, op, value, valueTwo]: readonly [number, string, string, string], args: readonly bigint[]): boolean {
  const x = BigInt.asUintN(64, args[index] ?? 0n);
  const v = BigInt(value);
  switch (op) {
    case 'EQ': return x === v;
    case 'NE': return x !== v;
    case 'LT': return x < v;
    case 'LE': return x <= v;
    case 'GT': return x > v;
    case 'GE': return x >= v;
    case 'MASKED_EQ': return (x & v) === BigInt(valueTwo);
    default: return true;
  }
}

function filterDeny(f: { errno: number; rule: string; action?: AuditedAction }): Decision {
  // A kill or trap rule reaches the agent only in audit mode; under enforcement it would be a
  // metadata the compiler never writes, answered with the errno (fail closed).
  return { kind: 'deny', errno: f.errno, reason: f.action ? `the filter ${f.action === 'trap' ? 'traps' : 'kills'} it (${f.action})` : 'denied by the filter', rule: f.rule, ...(f.action ? { action: f.action } : {}) };
}

/**
 * One notified call. `path`: what the server read when an earlier call for this notification
 * returned NeedPath (given a path, decide always answers). `image`: the calling task's program
 * image, when needsTaskImage(state) asked for it.
 */
export function decide(state: ListenerState, call: CallData, policy: AgentPolicy, path: PathInput, image?: TaskImage): Decided;
export function decide(state: ListenerState, call: CallData, policy: AgentPolicy, path?: PathInput, image?: TaskImage): DecideResult;
export function decide(state: ListenerState, call: CallData, policy: AgentPolicy, path?: PathInput, image?: TaskImage): DecideResult {
  const r = enforce(state, call, policy, path, image);
  if (policy.audit === undefined) return r;
  const name = syscallName(call.arch, call.nr);
  const conditional = name !== undefined && policy.audit.conditional !== undefined && Object.hasOwn(policy.audit.conditional, name) ? policy.audit.conditional[name] : undefined;
  if (conditional) {
    // Sent whole (its denied ranges were too costly to encode): logged only where the filter denies.
    if (!conditional.denied.some((term) => term.every((a) => comparisonHolds(a, call.args)))) {
      return { decision: { kind: 'continue', reason: 'allowed by the filter (audit mode sends the call whole)' }, state: r.state };
    }
    const f = filterDeny({ errno: conditional.rule[0], rule: conditional.rule[1], ...(conditional.rule[2] === undefined ? {} : { action: conditional.rule[2] }) });
    if (f.kind !== 'deny') return { decision: f, state: r.state };
    const { kind: _kind, ...wouldDeny } = f;
    return { decision: { kind: 'continue', reason: `audit: would deny (${f.reason})`, wouldDeny }, state: r.state };
  }
  if (needsPath(r)) return r;
  const d = r.decision;
  if (d.kind === 'deny') {
    const { kind: _kind, ...wouldDeny } = d;
    return { decision: { kind: 'continue', reason: `audit: would deny (${d.reason})`, wouldDeny }, state: r.state };
  }
  if (d.kind === 'inject') return { decision: { kind: 'continue', reason: `${d.reason} (audit: the task opens it itself)` }, state: r.state };
  return r;
}

/** The decision under enforcement (audit mode only changes how it is carried out: decide above). */
function enforce(state: ListenerState, call: CallData, policy: AgentPolicy, path?: PathInput, image?: TaskImage): DecideResult {
  const name = syscallName(call.arch, call.nr);
  const layout = name === undefined ? undefined : CALL_LAYOUTS[name];
  // A filter denial is one in both phases: runc's init gets the errno it got from the kernel
  // before these were sent here (its own needs are agentCalls, compiled as such).
  const byFilter = filterDenial(name, policy);

  if (!state.execveSeen) {
    const seen = state.initImage === undefined && image !== undefined ? { ...state, initImage: image } : state;
    if (byFilter) return { decision: filterDeny(byFilter), state: seen };
    if (layout?.kind === 'exec') {
      return { decision: { kind: 'continue', reason: 'first execve' }, state: { ...seen, execveSeen: true } };
    }
    return { decision: { kind: 'continue', reason: 'before the first execve (runc init)' }, state: seen };
  }

  if (!state.execCompleted && state.initImage !== undefined && image !== undefined) {
    if (sameImage(image, state.initImage)) {
      if (byFilter) return { decision: filterDeny(byFilter), state };
      return { decision: { kind: 'continue', reason: 'still runc init: the first execve has not completed (restarted, or another init thread)' }, state };
    }
    state = { ...state, execCompleted: true };
  }
  const after = state;
  if (byFilter) return { decision: filterDeny(byFilter), state: after };
  const deny = (reason: string): Decided => ({ decision: { kind: 'deny', errno: policy.errno, reason }, state: after });

  if (layout === undefined) return deny('only allowed before the first execve');
  if (layout.kind === 'exec') {
    if (name !== undefined && (policy.execAllowed ?? []).includes(name)) return { decision: { kind: 'continue', reason: `${name} (the profile allows it)` }, state };
    return deny('execve after the first execve');
  }

  // The filter also notifies opens the profile denies, for runc's init alone (its exec fifo,
  // its /proc/self/fd listing): after the first exec those are denied like any init-only call.
  if (name === undefined || !(policy.writeGated ?? []).includes(name)) return deny('only allowed before the first execve');
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
      // Never set-id bits: the agent creates the file as root, so between its create and its
      // chown to the caller (which clears them, if it succeeds) the file would be set-id root in
      // a host directory. readOnlyOpens denies chmod of them too (seccomp/vocabulary.ts).
      mode: u32(call.args[layout.modeArg]) & 0o1777,
      cloexec: (flags & OPEN_FLAGS.O_CLOEXEC) !== 0,
      reason: 'write-open in writable path',
    },
    state,
  };
}
