/**
 * The semantic model of a seccomp filter: an Action per cell of argument space.
 *
 * A FilterModel says, for each syscall a rule names, which action every point of argument space
 * gets: a Partition, i.e. disjoint cells (action -> DNF) that together cover everything. Syscalls
 * no rule names get the default action. The algebra on partitions (intersect, rewrite, look up)
 * is here; reading and writing linux.seccomp is oci-codec.ts.
 */
import { OpenclawError } from '../errors.js';
import { TRUE, andDnf, orDnf, negateDnf, AlgebraLimitError, type Dnf } from './algebra.js';
import { ACTION_RANK, ACTION_TAKES_ERRNO, OCI_ACTION, ERRNO, type ActionKind } from './vocabulary.js';

export interface Action {
  kind: ActionKind;
  /** Only for errno and trace; runc's default is EPERM. */
  errno?: number;
}

export interface Cell {
  action: Action;
  dnf: Dnf;
}
/** Disjoint cells covering all of argument space, keyed by actionKey. */
export type Partition = Map<string, Cell>;

export interface FilterModel {
  defaultAction: Action;
  /** SCMP_ARCH_* names, sorted; never empty (OCI's empty list means the native arch only). */
  architectures: string[];
  syscalls: Map<string, Partition>;
  listenerPath?: string;
  listenerMetadata?: string;
}

const EPERM = ERRNO.EPERM as number;

export function makeAction(kind: ActionKind, errno?: number): Action {
  return ACTION_TAKES_ERRNO[kind] ? { kind, errno: errno ?? EPERM } : { kind };
}

export function actionKey(a: Action): string {
  return a.errno === undefined ? a.kind : `${a.kind}:${a.errno}`;
}

export function sameAction(a: Action, b: Action): boolean {
  return actionKey(a) === actionKey(b);
}

export function rank(a: Action): number {
  return ACTION_RANK[a.kind];
}

/** The stricter of two actions (kernel precedence); on a tie the first wins. */
export function stricter(a: Action, b: Action): Action {
  return rank(b) > rank(a) ? b : a;
}

/** allow and log let the call run. */
export function permits(a: Action): boolean {
  return a.kind === 'allow' || a.kind === 'log';
}

export function describeAction(a: Action): string {
  const name = Object.entries(ERRNO).find(([, n]) => n === a.errno)?.[0];
  return a.errno === undefined ? OCI_ACTION[a.kind] : `${OCI_ACTION[a.kind]}(${name ?? a.errno})`;
}

// ---------------------------------------------------------------------------------------------
// Partitions

export function constantPartition(action: Action): Partition {
  return new Map([[actionKey(action), { action, dnf: TRUE }]]);
}

function addCell(p: Partition, action: Action, dnf: Dnf): void {
  if (dnf.length === 0) return;
  const k = actionKey(action);
  const prev = p.get(k);
  p.set(k, { action, dnf: prev ? orDnf(prev.dnf, dnf) : dnf });
}

/** A syscall's rules (as runc hands them to libseccomp) -> partition. */
export function partitionOfRules(unconditional: Action[], conditional: Cell[], defaultAction: Action): Partition {
  if (unconditional.length > 0) return constantPartition(unconditional.reduce((a, b) => stricter(a, b)));
  // Strictest first: each action gets what it matches and no stricter action took.
  const byAction = new Map<string, Cell>();
  for (const c of conditional) {
    if (sameAction(c.action, defaultAction)) continue;
    const k = actionKey(c.action);
    const prev = byAction.get(k);
    byAction.set(k, { action: c.action, dnf: prev ? orDnf(prev.dnf, c.dnf) : c.dnf });
  }
  const ordered = [...byAction.values()].sort((x, y) => rank(y.action) - rank(x.action) || cmpStr(actionKey(x.action), actionKey(y.action)));
  const out: Partition = new Map();
  let rest: Dnf = TRUE;
  for (const c of ordered) {
    addCell(out, c.action, andDnf(c.dnf, rest));
    rest = andDnf(rest, negateDnf(c.dnf));
  }
  addCell(out, defaultAction, rest);
  return out;
}

/** Cell by cell, the stricter action; ties go to `first` (the profile side in combine.ts). */
export function intersectPartitions(first: Partition, second: Partition, pick: (a: Action, b: Action) => Action = stricter): Partition {
  const out: Partition = new Map();
  for (const a of first.values()) {
    for (const b of second.values()) {
      const dnf = andDnf(a.dnf, b.dnf);
      if (dnf.length > 0) addCell(out, pick(a.action, b.action), dnf);
    }
  }
  return out;
}

/** Rewrites the cells inside `region` whose action `when` accepts to `to` (used to hand denials to the agent). */
export function rewriteInside(p: Partition, region: Dnf, when: (a: Action) => boolean, to: Action): Partition {
  const out: Partition = new Map();
  const outside = negateDnf(region);
  for (const c of p.values()) {
    if (!when(c.action)) {
      addCell(out, c.action, c.dnf);
      continue;
    }
    addCell(out, to, andDnf(c.dnf, region));
    addCell(out, c.action, andDnf(c.dnf, outside));
  }
  return out;
}

export function partitionAction(p: Partition | undefined, args: readonly bigint[], fallback: Action, holds: (d: Dnf, a: readonly bigint[]) => boolean): Action {
  if (!p) return fallback;
  for (const c of p.values()) if (holds(c.dnf, args)) return c.action;
  return fallback;
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Wraps the algebra's size limit as a user-facing error. */
export function guardComplexity<T>(file: string | undefined, field: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof AlgebraLimitError) {
      throw new OpenclawError('seccomp', `syscall filter too complex to combine (${e.message})`, {
        file,
        field,
        fix: 'use fewer conditional rules on the same syscall',
        cause: e,
      });
    }
    throw e;
  }
}

