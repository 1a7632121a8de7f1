/**
 * linux.seccomp <-> FilterModel (model.ts).
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
import { toU64, type U64 } from '../util/json.js';
import { TRUE, orDnf, simplifyTerm, constraintOf, constraintAsUnion, termKey, isTrue, type Atom, type Dnf, type Term } from './algebra.js';
import { actionKey, makeAction, partitionOfRules, rank, sameAction, type Action, type Cell, type FilterModel, type Partition } from './model.js';
import { isKnownSyscall, syscallExists } from './syscall-table.js';
import { ARCH_BY_SCMP, ACTION_WORDS, CMP_BY_OCI, OCI_ACTION, OCI_CMP, ERRNO, nativeScmpArch } from './vocabulary.js';

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

function specArg(a: Atom): SpecSeccompArg {
  const out: SpecSeccompArg = { index: a.index, value: toU64(a.value), op: OCI_CMP[a.op] };
  if (a.op === 'MASKED_EQ') out.valueTwo = toU64(a.valueTwo);
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

