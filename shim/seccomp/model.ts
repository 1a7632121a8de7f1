/**
 * The semantic model of a seccomp filter, and its OCI encoding.
 *
 * A FilterModel says, for each syscall a rule names, which action every point of argument space
 * gets: a Partition, i.e. disjoint cells (action -> DNF) that together cover everything. Syscalls
 * no rule names get the default action.
 *
 * Decoding follows what runc 1.1.5 + libseccomp do with linux.seccomp (FIELD-NOTES):
 *  - rules whose action equals the default are skipped, unknown names are ignored;
 *  - a rule that repeats an argument index becomes one rule per condition (OR);
 *  - an unconditional rule beats the conditional ones for the same syscall;
 *  - overlapping conditional rules with different actions: we assume the stricter wins.
 * Encoding never emits a rule whose action equals the default, never two conditions on one
 * index, never `flags` (runc 1.1.5 refuses it), and is deterministic.
 */
import { OpenclawError } from '../errors.js';
import type { SpecSeccomp, SpecSeccompArg, SpecSyscall } from '../oci/types.js';
import type { U64 } from '../util/json.js';
import {
  TRUE,
  FALSE,
  andDnf,
  orDnf,
  negateDnf,
  simplifyTerm,
  constraintOf,
  constraintAsUnion,
  termKey,
  isTrue,
  AlgebraLimitError,
  type Atom,
  type Dnf,
  type Term,
} from './algebra.js';
import { isKnownSyscall, syscallExists } from './syscall-table.js';
import {
  ARCH_BY_SCMP,
  ACTION_RANK,
  ACTION_TAKES_ERRNO,
  ACTION_WORDS,
  CMP_BY_OCI,
  OCI_ACTION,
  OCI_CMP,
  ERRNO,
  nativeScmpArch,
  type ActionKind,
} from './vocabulary.js';

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

/**
 * A filter in both forms: its OCI encoding (what config.json gets) and that encoding decoded
 * (what combining reads). A profile's filter is decoded once, where it is compiled, and the
 * pair travels together (profile/compile-profile.ts -> the compiled-profile cache -> the merge).
 */
export interface CompiledFilter {
  spec: SpecSeccomp;
  /** decodeSeccomp(spec); neither may be changed afterwards. */
  model: FilterModel;
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
export function intersectPartitions(first: Partition, second: Partition): Partition {
  const out: Partition = new Map();
  for (const a of first.values()) {
    for (const b of second.values()) {
      const dnf = andDnf(a.dnf, b.dnf);
      if (dnf.length > 0) addCell(out, stricter(a.action, b.action), dnf);
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

// ---------------------------------------------------------------------------------------------
// OCI decoding

export function parseAction(word: string, errnoRet: number | undefined): Action | undefined {
  const kind = ACTION_WORDS[word];
  return kind ? makeAction(kind, errnoRet) : undefined;
}

function toBig(v: U64 | undefined): bigint {
  return v === undefined ? 0n : BigInt(v);
}

export function atomOfSpecArg(a: SpecSeccompArg): Atom {
  const op = CMP_BY_OCI[a.op];
  if (!op) throw new OpenclawError('seccomp', `unknown comparison operator "${a.op}"`, { fix: `use one of ${Object.keys(CMP_BY_OCI).join(', ')}` });
  return { index: a.index, op, value: BigInt.asUintN(64, toBig(a.value)), valueTwo: op === 'MASKED_EQ' ? BigInt.asUintN(64, toBig(a.valueTwo)) : 0n };
}

/** The DNF runc actually builds from one rule's args (a repeated index turns AND into OR). */
export function dnfOfSpecArgs(args: readonly SpecSeccompArg[]): Dnf {
  const atoms = args.map(atomOfSpecArg);
  const indexes = atoms.map((a) => a.index);
  const repeated = new Set(indexes).size !== indexes.length;
  const terms = repeated ? atoms.map((a) => [a]) : [atoms];
  return orDnf(...terms.map((t) => simplifyTerm(t)).filter((t): t is Term => t !== undefined).map((t) => [t]));
}

export function architecturesOf(spec: SpecSeccomp): string[] {
  const list = spec.architectures && spec.architectures.length > 0 ? spec.architectures : [nativeScmpArch()];
  return [...new Set(list)].sort();
}

/** linux.seccomp -> model, the way runc 1.1.5 would load it. */
export function decodeSeccomp(spec: SpecSeccomp): FilterModel {
  const defaultAction = parseAction(spec.defaultAction, spec.defaultErrnoRet);
  if (!defaultAction) {
    throw new OpenclawError('seccomp', `unknown defaultAction "${spec.defaultAction}"`, {
      field: 'linux.seccomp.defaultAction',
      fix: 'use an SCMP_ACT_* action runc knows (SCMP_ACT_ERRNO, SCMP_ACT_ALLOW, SCMP_ACT_KILL_PROCESS, ...)',
    });
  }
  const uncond = new Map<string, Action[]>();
  const cond = new Map<string, Cell[]>();
  for (const rule of spec.syscalls ?? []) {
    const action = parseAction(rule.action, rule.errnoRet);
    if (!action) {
      throw new OpenclawError('seccomp', `unknown action "${rule.action}"`, {
        field: 'linux.seccomp.syscalls',
        fix: 'use an SCMP_ACT_* action runc knows (SCMP_ACT_ERRNO, SCMP_ACT_ALLOW, SCMP_ACT_KILL_PROCESS, ...)',
      });
    }
    if (sameAction(action, defaultAction)) continue;
    const args = rule.args ?? [];
    const dnf = args.length === 0 ? TRUE : dnfOfSpecArgs(args);
    for (const name of rule.names ?? []) {
      if (args.length === 0) uncond.set(name, [...(uncond.get(name) ?? []), action]);
      else cond.set(name, [...(cond.get(name) ?? []), { action, dnf }]);
    }
  }
  const syscalls = new Map<string, Partition>();
  for (const name of [...new Set([...uncond.keys(), ...cond.keys()])].sort()) {
    syscalls.set(name, partitionOfRules(uncond.get(name) ?? [], cond.get(name) ?? [], defaultAction));
  }
  const model: FilterModel = { defaultAction, architectures: architecturesOf(spec), syscalls };
  if (spec.listenerPath) model.listenerPath = spec.listenerPath;
  if (spec.listenerMetadata) model.listenerMetadata = spec.listenerMetadata;
  return model;
}

/** `spec` with its decoding. */
export function compiledFilterOf(spec: SpecSeccomp): CompiledFilter {
  return { spec, model: decodeSeccomp(spec) };
}

// ---------------------------------------------------------------------------------------------
// OCI encoding

function u64(v: bigint): U64 {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function specArg(a: Atom): SpecSeccompArg {
  const out: SpecSeccompArg = { index: a.index, value: u64(a.value), op: OCI_CMP[a.op] };
  if (a.op === 'MASKED_EQ') out.valueTwo = u64(a.valueTwo);
  return out;
}

const MAX_RULES_PER_TERM = 64;

/**
 * One term -> rules with at most one condition per index. Each index becomes an exact union of
 * single atoms and the rules are their product. When that is too large: a term whose action is
 * looser than the default is dropped (its points fall to the stricter default), a stricter one
 * is widened to one atom per index (a superset: denies at least what it should).
 */
function rulesOfTerm(t: Term, action: Action, defaultAction: Action): Atom[][] {
  const byIndex = new Map<number, Atom[]>();
  for (const a of t) byIndex.set(a.index, [...(byIndex.get(a.index) ?? []), a]);
  let product: Atom[][] = [[]];
  for (const [index, atoms] of [...byIndex].sort((x, y) => x[0] - y[0])) {
    const c = constraintOf(atoms);
    if (!c) return [];
    const union = constraintAsUnion(index, c);
    if (!union || product.length * union.length > MAX_RULES_PER_TERM) {
      if (rank(action) <= rank(defaultAction)) return [];
      return [widen(byIndex)];
    }
    product = product.flatMap((p) => union.map((u) => [...p, u]));
  }
  return product;
}

function widen(byIndex: Map<number, Atom[]>): Atom[] {
  return [...byIndex].sort((x, y) => x[0] - y[0]).map(([, atoms]) => atoms.find((a) => a.op === 'MASKED_EQ') ?? (atoms[0] as Atom));
}

export function encodeSeccomp(model: FilterModel): SpecSeccomp {
  // (action, args) -> names, so identical rules share one entry.
  const groups = new Map<string, { action: Action; args: Atom[]; names: Set<string> }>();
  const add = (name: string, action: Action, args: Atom[]) => {
    const k = `${actionKey(action)}|${termKey(args)}`;
    const g = groups.get(k) ?? { action, args, names: new Set<string>() };
    g.names.add(name);
    groups.set(k, g);
  };
  for (const [name, partition] of [...model.syscalls].sort((a, b) => cmpStr(a[0], b[0]))) {
    // A name no listed ABI has can never be called (names our table does not know are kept: they may be newer than it).
    if (isKnownSyscall(name) && !model.architectures.some((a) => syscallExists(name, ARCH_BY_SCMP[a]?.resolver ?? ''))) continue;
    const cells = [...partition.values()].filter((c) => !sameAction(c.action, model.defaultAction) && c.dnf.length > 0);
    const whole = cells.find((c) => isTrue(c.dnf));
    if (whole) {
      // libseccomp keeps only an unconditional rule; the cells are disjoint, so this one covers everything.
      add(name, whole.action, []);
      continue;
    }
    for (const c of cells) for (const t of c.dnf) for (const args of rulesOfTerm(t, c.action, model.defaultAction)) add(name, c.action, args);
  }
  const rules: SpecSyscall[] = [...groups.values()]
    .map((g) => {
      const r: SpecSyscall = { names: [...g.names].sort(), action: OCI_ACTION[g.action.kind] };
      if (g.action.errno !== undefined) r.errnoRet = g.action.errno;
      if (g.args.length > 0) r.args = g.args.map(specArg);
      return r;
    })
    .sort((a, b) => cmpStr(a.names[0] ?? '', b.names[0] ?? '') || cmpStr(ruleSortKey(a), ruleSortKey(b)));
  const out: SpecSeccomp = { defaultAction: OCI_ACTION[model.defaultAction.kind] };
  if (model.defaultAction.errno !== undefined && model.defaultAction.errno !== EPERM) out.defaultErrnoRet = model.defaultAction.errno;
  out.architectures = [...model.architectures];
  if (model.listenerPath) out.listenerPath = model.listenerPath;
  if (model.listenerMetadata) out.listenerMetadata = model.listenerMetadata;
  out.syscalls = rules;
  return out;
}

function ruleSortKey(r: SpecSyscall): string {
  return `${r.names[0]}|${r.action}|${r.errnoRet ?? ''}|${JSON.stringify(r.args ?? [], (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`;
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

export { FALSE, TRUE };
