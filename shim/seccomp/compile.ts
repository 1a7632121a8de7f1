/**
 * Profile `syscallFilter` -> OCI linux.seccomp.
 *
 * Meaning of the profile's keys (their schema: ./schema.ts):
 *  - whitelist: allowed; blacklist: blacklistAction (default errno). Some blacklist names mean
 *    more (BLACKLIST_MEANINGS): `clone` blocks processes but keeps threads, and takes fork, vfork
 *    and clone3 with it; `clone3` answers ENOSYS so glibc falls back to clone.
 *  - rules: OCI-style rules; conditions are ANDed (also on the same index, unlike runc).
 *  - readOnlyOpens: write-class open/openat (flags & 0x400243), creat -> denied (the agent
 *    decides, writablePaths); openat2 -> ENOSYS (its flags sit in a struct seccomp cannot read);
 *    the other calls that change the filesystem without a writable fd (mknod, mkdir, link,
 *    rename, unlink, truncate, xattr writes: vocabulary.ts PATH_MUTATING_CALLS) -> EROFS,
 *    chmod of set-id bits -> EPERM, io_uring (opens and writes seccomp never sees) -> ENOSYS,
 *    wherever the profile allowed them.
 *  - socketFamilies: socket/socketpair only for these families, others EAFNOSUPPORT.
 *  - architectures: default the native ABI only; every other ABI is killed (fail closed).
 *  - import: an already parsed libseccomp/Docker JSON (opts.imported) is the base; the
 *    profile's entries replace it syscall by syscall, and the profile's defaultAction applies to
 *    the syscalls neither names.
 * A syscall named by a feature (readOnlyOpens, socketFamilies) but by no list is allowed within
 * that feature's limits. A deny-by-default filter that does not name clone3 answers it ENOSYS.
 *
 * runc's init keeps running after the filter is loaded (runc-init.ts): a filter that denies
 * what it needs there needs the seccomp agent; without opts.agent that is an error.
 *  - audit: the filter's denials all go to the agent, which logs and allows them
 *    (sendDenialsToAgent); needs the agent like the above.
 */
import { OpenclawError } from '../errors.js';
import type { SyscallFilter } from './schema.js';
import type { SpecSeccomp } from '../oci/types.js';
import { AlgebraLimitError, TRUE, andDnf, atom, constraintAsUnion, constraintOf, dnfHolds, negateDnf, type Atom, type Dnf, type Term } from './algebra.js';
import {
  constantPartition,
  describeAction,
  guardComplexity,
  intersectPartitions,
  makeAction,
  partitionAction,
  permits,
  rank,
  rewriteInside,
  sameAction,
  type Action,
  type FilterModel,
  type Partition,
} from './model.js';
import { decodeSeccomp, encodeSeccomp } from './oci-codec.js';
import { partitionsOfRules, checkSyscallName, type RuleContext, type RuleInput } from './rules.js';
import { EXEC_SYSCALLS, RUNC_INIT_PROBES } from './runc-init.js';
import {
  ACTION_WORDS,
  AF,
  ARCH_BY_SCMP,
  CLONE_FLAGS_INDEX_BY_ARCH,
  CLONE_THREADS_ONLY,
  CHMOD_MODE_ARG,
  CMP_BY_OCI,
  ERRNO,
  FLAGS_ARG_INDEX,
  PATH_MUTATING_CALLS,
  SET_ID_BITS,
  UNSEEN_IO_CALLS,
  WRITE_OPEN_MASK,
  nativeScmpArch,
  type CmpOp,
} from './vocabulary.js';
import { SYSCALLS, syscallExists, syscallNumber } from './syscall-table.js';

const allSyscallNames = (): string[] => Object.keys(SYSCALLS).sort();

export interface CompileOptions {
  /** The profile's file, named in every error. */
  profileFile: string;
  /** Dotted path of the syscallFilter block, e.g. `spec.isolation.syscallFilter`. */
  fieldBase: string;
  /** A Docker-style JSON already parsed (import.ts): the base to start from. */
  imported?: SpecSeccomp;
  /**
   * The seccomp agent (issue 3): calls the filter cannot decide alone go to it. The metadata
   * may depend on what the compiler found (which exec calls the profile itself allows).
   */
  agent?: { listenerPath: string; listenerMetadata: string | ((facts: AgentFacts) => string) };
  /**
   * Send the filter's own errno denials to the agent to be logged even when nothing else needs
   * it (config [agent] log_filter_denials): a filter that runs under plain runc (`default`) then
   * gets a listenerPath too, and its denials appear in `denials` like an agent profile's. Only
   * denied cells change; allowed calls and exec stay in the kernel. Needs `agent`.
   */
  logFilterDenials?: boolean;
  /** SCMP_ARCH_* of the host; default from process.arch. */
  nativeArch?: string;
  /**
   * Compile as if `audit` were off (lint judges the filter the profile would enforce). The
   * profile's own `audit` decides otherwise.
   */
  ignoreAudit?: boolean;
}

/** What the agent must know about the compiled filter, beyond the profile's own fields. */
export interface AgentFacts {
  /**
   * The exec calls (execve, execveat) the profile allows unconditionally. They are sent to the
   * agent anyway (the exec-once invariant below) and the agent lets them run after the first
   * exec too; every other exec after the first is denied.
   */
  execAllowed: string[];
  /**
   * The open calls (open, openat, creat) whose write-class opens the filter sends to the agent
   * because of readOnlyOpens, the profile allowing them otherwise: the agent opens those in
   * writable paths. Any other notified open is runc init's alone and denied after the first exec.
   */
  writeGated: string[];
  /**
   * What the filter itself denies, sent to the agent so that every denial is logged with the
   * rule behind it (issue 10): the profile's errno answers, rewritten to SCMP_ACT_NOTIFY, which
   * the agent answers with the same errno in both phases (before and after the first exec).
   * Absent when the filter has none to report.
   */
  filterDenials?: FilterDenials;
  /**
   * The profile is in audit mode (syscallFilter.audit): every denial the filter sends to the
   * agent is logged as "would deny" and allowed. `conditional`: calls whose denied argument
   * ranges are too costly to encode as NOTIFY rules (cheapToEncode) are sent to the agent
   * whole, with the denied ranges, so it logs only the calls the filter would deny.
   * `enforced`: calls with denials that stay in the kernel all the same (mixed with ENOSYS
   * answers or the agent's own rules, or ranges too large to carry).
   */
  audit?: { enforced: string[]; conditional?: Record<string, ConditionalDenial> };
}

/** One comparison as the metadata carries it: [argument index, op, value, valueTwo] (hex). */
export type SerialAtom = [index: number, op: CmpOp, value: string, valueTwo: string];
export interface ConditionalDenial {
  /** The argument ranges the filter denies: a disjunction of conjunctions. */
  denied: SerialAtom[][];
  rule: DenialRule;
}

/** Most terms (and atoms per term) a conditional denial may carry to the agent. */
const MAX_CONDITIONAL_TERMS = 64;
const MAX_CONDITIONAL_ATOMS = 16;

/**
 * One denied call's answer and provenance: [errno, field relative to fieldBase], and in audit
 * mode the action when it is not an errno ([1, field, 'kill-process']: the agent cannot answer
 * with a kill, it only logs that the filter would have killed).
 */
export type DenialRule = [errno: number, field: string] | [errno: number, field: string, action: AuditedAction];
export type AuditedAction = 'kill-process' | 'kill-thread' | 'trap';

export interface FilterDenials {
  /** Calls whose notified cells are all filter denials, each with its errno and the field that denies it. */
  names: Record<string, DenialRule>;
  /** Every notified call that is neither listed here nor in agentCalls is a defaultAction denial. */
  default?: DenialRule;
  /** Calls the filter notifies for another reason (runc's init, exec-once, write gating, the profile's own notify rules): the agent's usual rules apply. */
  agentCalls: string[];
}

export interface AgentNeed {
  syscall: string;
  /** Why runc (or the profile) needs the agent for this call. */
  reason: string;
  /** The profile field that denies it. */
  field: string;
  /** What the filter answers without the agent, i.e. what the agent should answer after the entrypoint started. */
  afterStart: string;
}

const E = ERRNO as Record<string, number>;

// ---------------------------------------------------------------------------------------------
// Building the model

interface Built {
  model: FilterModel;
  /** Which profile field decided each syscall (for error messages). */
  source: Map<string, string>;
  /** Open calls the profile allows outright apart from readOnlyOpens: their write-class opens are the agent's to gate. */
  writeGated: string[];
  /** Fields of allow entries (whitelist, allow rules): a call named only there is denied, where it is, by the default. */
  allowFields: Set<string>;
}

function fieldOf(opts: CompileOptions, key: string): string {
  return `${opts.fieldBase}.${key}`;
}

function fail(opts: CompileOptions, key: string, problem: string, fix: string): never {
  throw new OpenclawError('seccomp', problem, { file: opts.profileFile, field: fieldOf(opts, key), fix });
}

/** `errnoKey`: the field the errno came from (defaultErrno, rules[i].errno), for errors. */
function actionOf(opts: CompileOptions, key: string, word: string, errno: string | number | undefined, fallbackErrno: number, errnoKey: string): Action {
  const kind = ACTION_WORDS[word];
  if (!kind) fail(opts, key, `unknown action "${word}"`, `use one of ${Object.keys(ACTION_WORDS).join(', ')}`);
  return makeAction(kind, errnoNumber(opts, errnoKey, errno) ?? fallbackErrno);
}

function errnoNumber(opts: CompileOptions, key: string, e: string | number | undefined): number | undefined {
  if (e === undefined || typeof e === 'number') return e;
  const n = E[e];
  if (n === undefined) fail(opts, key, `unknown errno name "${e}"`, `use a number or one of ${Object.keys(E).join(', ')}`);
  return n;
}

interface Special {
  /** The names one blacklist entry stands for, with their partitions. */
  build: (ctx: SpecialCtx) => Array<[string, Partition]>;
}
interface SpecialCtx {
  deny: Action;
  cloneIndex: number;
}

const ENOSYS = () => makeAction('errno', E.ENOSYS);

/** Blacklist names with a precise meaning (docs/profile-reference.md, spec.isolation.syscallFilter: test/unit/profile/reference-doc.test.ts checks it names them). */
export const BLACKLIST_MEANINGS: Readonly<Record<string, Special>> = {
  clone: {
    build: ({ deny, cloneIndex }) => {
      const threads: Dnf = [[atom(cloneIndex, 'MASKED_EQ', CLONE_THREADS_ONLY.mask, CLONE_THREADS_ONLY.value)]];
      const clone: Partition = new Map([
        ['allow', { action: makeAction('allow'), dnf: threads }],
        ['deny', { action: deny, dnf: negateDnf(threads) }],
      ]);
      return [
        ['clone', clone],
        ['fork', constantPartition(deny)],
        ['vfork', constantPartition(deny)],
        ['clone3', constantPartition(ENOSYS())],
      ];
    },
  },
  clone3: { build: () => [['clone3', constantPartition(ENOSYS())]] },
};

function checkedArchitectures(filter: SyscallFilter, opts: CompileOptions): string[] {
  // Each one is an ARCH_BY_SCMP name (./schema.ts).
  const arches = filter.architectures ?? [opts.nativeArch ?? nativeScmpArch()];
  if (filter.socketFamilies) {
    const i = arches.findIndex((a) => ARCH_BY_SCMP[a]?.socketcall);
    if (i >= 0) {
      fail(opts, `architectures[${i}]`, `${arches[i]} makes socket calls through socketcall(2), whose arguments seccomp cannot read, so socketFamilies cannot be enforced there`, `remove ${arches[i]}`);
    }
  }
  return [...new Set(arches)].sort();
}

function cloneIndexFor(arches: string[], opts: CompileOptions): number {
  const idx = new Set(arches.map((a) => CLONE_FLAGS_INDEX_BY_ARCH[a] ?? (FLAGS_ARG_INDEX.clone as number)));
  if (idx.size > 1) fail(opts, 'architectures', 'clone takes its flags at different argument indexes on these architectures', 'compile one profile per architecture family');
  return [...idx][0] as number;
}

/** What every step reads: the profile's filter and what is settled before the first step runs. */
interface BuildContext {
  filter: SyscallFilter;
  opts: CompileOptions;
  /** With the agent, readOnlyOpens' write-class opens go to it; without, a compile only finds what needs it (and is refused). */
  agentPresent: boolean;
  defaultAction: Action;
  /** The errno of an errno action that names none: defaultErrno, else EPERM. */
  defErrno: number;
  blacklistAction: Action;
  /** SCMP_ARCH_* names, checked, sorted. */
  architectures: string[];
  /** Whether a syscall exists on at least one of the filter's architectures. */
  exists: (name: string) => boolean;
}

/** One meaning of the profile's filter, applied to the model built so far; `source` records the field behind each syscall it decides. */
type BuildStep = (built: Built, ctx: BuildContext) => void;

/**
 * The profile's filter -> model, in this order: each step works on what the ones before it
 * made. The later ones only ever restrict what the earlier ones allowed.
 */
const BUILD_STEPS: readonly BuildStep[] = [importedBase, listsAndRules, readOnlyOpens, socketFamilies, clone3Fallback];

function buildModel(filter: SyscallFilter, opts: CompileOptions, agentPresent: boolean): Built {
  const ctx = settle(filter, opts, agentPresent);
  const built: Built = { model: { defaultAction: ctx.defaultAction, architectures: ctx.architectures, syscalls: new Map() }, source: new Map(), writeGated: [], allowFields: new Set() };
  for (const step of BUILD_STEPS) step(built, ctx);
  return built;
}

function settle(filter: SyscallFilter, opts: CompileOptions, agentPresent: boolean): BuildContext {
  const defaultAction = actionOf(opts, 'defaultAction', filter.defaultAction, filter.defaultErrno, E.EPERM as number, 'defaultErrno');
  if (defaultAction.kind === 'notify') fail(opts, 'defaultAction', 'runc refuses SCMP_ACT_NOTIFY as the default action', 'use errno and send chosen syscalls to the agent with rules');
  const defErrno = errnoNumber(opts, 'defaultErrno', filter.defaultErrno) ?? (E.EPERM as number);
  const blacklistAction = filter.blacklistAction ? actionOf(opts, 'blacklistAction', filter.blacklistAction, undefined, defErrno, 'blacklistAction') : makeAction('errno', defErrno);
  const architectures = checkedArchitectures(filter, opts);
  const exists = (n: string) => architectures.some((a) => syscallExists(n, ARCH_BY_SCMP[a]?.resolver as string));
  return { filter, opts, agentPresent, defaultAction, defErrno, blacklistAction, architectures, exists };
}

/** import: the imported JSON's syscalls are the base; the profile's own entries replace them name by name. */
function importedBase({ model }: Built, { opts }: BuildContext): void {
  if (!opts.imported) return;
  for (const [name, p] of decodeSeccomp(opts.imported).syscalls) model.syscalls.set(name, p);
}

/**
 * whitelist, blacklist and rules, read together as the one rule set runc hands libseccomp
 * (rules.ts checks them against each other); blacklisted names with a precise meaning
 * (BLACKLIST_MEANINGS) add the names they stand for, unless an explicit entry names those.
 */
function listsAndRules({ model, source, allowFields }: Built, ctx: BuildContext): void {
  const { filter, opts, blacklistAction, defErrno } = ctx;
  const { architectures, syscalls } = model;
  const rules: RuleContext = { file: opts.profileFile, defaultAction: ctx.defaultAction, architectures, archCheck: 'every' };

  const whitelist = filter.whitelist ?? [];
  const blacklist = filter.blacklist ?? [];
  blacklist.forEach((name, j) => {
    const i = whitelist.indexOf(name);
    if (i >= 0) fail(opts, `blacklist[${j}]`, `"${name}" is in both the whitelist (whitelist[${i}]) and the blacklist`, 'keep it in one list');
  });

  const inputs: RuleInput[] = [];
  whitelist.forEach((name, i) => {
    const f = fieldOf(opts, `whitelist[${i}]`);
    inputs.push({ field: f, names: [name], nameField: () => f, action: makeAction('allow'), args: [] });
  });
  const specials: Array<{ name: string; partition: Partition; field: string; named: boolean }> = [];
  blacklist.forEach((name, j) => {
    const f = fieldOf(opts, `blacklist[${j}]`);
    const special = BLACKLIST_MEANINGS[name];
    if (special) {
      checkSyscallName(rules, name, f);
      for (const [n, p] of special.build({ deny: blacklistAction, cloneIndex: cloneIndexFor(architectures, opts) })) {
        specials.push({ name: n, partition: p, field: f, named: n === name });
      }
    } else {
      inputs.push({ field: f, names: [name], nameField: () => f, action: blacklistAction, args: [] });
    }
  });
  (filter.rules ?? []).forEach((r, i) => {
    const f = fieldOf(opts, `rules[${i}]`);
    const action = actionOf(opts, `rules[${i}].action`, r.action, r.errno, defErrno, `rules[${i}].errno`);
    const args = (r.args ?? []).map((a) => ({ index: a.index, op: CMP_BY_OCI[a.op] ?? 'EQ', value: a.value, valueTwo: a.op === 'SCMP_CMP_MASKED_EQ' ? a.valueTwo ?? 0n : 0n }));
    inputs.push({ field: f, names: r.names, nameField: (k) => `${f}.names[${k}]`, action, args });
  });

  const explicit = partitionsOfRules(inputs, rules);
  for (const r of inputs) if (permits(r.action)) r.names.forEach((_, k) => allowFields.add(r.nameField(k)));
  for (const r of inputs) r.names.forEach((n, k) => source.has(n) || source.set(n, r.nameField(k)));
  for (const [n, p] of explicit) syscalls.set(n, p);
  for (const { name: n, partition, field, named } of specials) {
    // An implied name (fork for clone) yields to an explicit entry; the blacklisted name itself must not also have a rule.
    if (explicit.has(n)) {
      if (named) {
        throw new OpenclawError('seccomp', `"${n}" is blacklisted and also given a rule at ${source.get(n)}`, { file: opts.profileFile, field, fix: 'keep one of them' });
      }
      continue;
    }
    syscalls.set(n, partition);
    source.set(n, field);
  }
}

/** Narrows `name` (where it exists) to `restriction`: the stricter action wherever the two differ. Unnamed calls start from allow. */
function restrict({ model, source }: Built, ctx: BuildContext, name: string, restriction: Partition, key: string): void {
  if (!ctx.exists(name)) return;
  const current = model.syscalls.get(name) ?? constantPartition(makeAction('allow'));
  model.syscalls.set(name, intersectPartitions(restriction, current));
  if (!source.has(name)) source.set(name, fieldOf(ctx.opts, key));
}

/** Turns what the profile allows of `name` inside `region` into `deny`; the profile's own denials stay as written. */
function denyWhereAllowed({ model, source }: Built, ctx: BuildContext, name: string, region: Dnf, deny: Action): void {
  if (!ctx.exists(name)) return;
  const current = model.syscalls.get(name) ?? constantPartition(ctx.defaultAction);
  if (![...current.values()].some((c) => permits(c.action))) return;
  model.syscalls.set(name, rewriteInside(current, region, permits, deny));
  if (!source.has(name)) source.set(name, fieldOf(ctx.opts, 'readOnlyOpens'));
}

/** readOnlyOpens: write-class opens to the agent (or EROFS), the other path-mutating calls EROFS, set-id chmod EPERM, unseen I/O ENOSYS. */
function readOnlyOpens(built: Built, ctx: BuildContext): void {
  if (!ctx.filter.readOnlyOpens) return;
  const { syscalls } = built.model;
  // Without the agent this is only used to find what needs it (and then refused).
  const writeDeny = ctx.agentPresent ? makeAction('notify') : makeAction('errno', E.EROFS);
  // Only where the profile allows every call of it does "read-only, or writable paths" describe
  // what it allows; anywhere else the agent treats a notified open as runc init's (denied after).
  for (const name of ['open', 'openat', 'creat']) {
    const current = syscalls.get(name) ?? constantPartition(ctx.defaultAction);
    if (ctx.exists(name) && [...current.values()].every((c) => permits(c.action))) built.writeGated.push(name);
  }
  for (const name of ['open', 'openat'] as const) {
    const idx = FLAGS_ARG_INDEX[name] as number;
    const ro: Dnf = [[atom(idx, 'MASKED_EQ', WRITE_OPEN_MASK, 0n)]];
    restrict(built, ctx, name, new Map([['ro', { action: makeAction('allow'), dnf: ro }], ['w', { action: writeDeny, dnf: negateDnf(ro) }]]), 'readOnlyOpens');
  }
  restrict(built, ctx, 'creat', constantPartition(writeDeny), 'readOnlyOpens');
  restrict(built, ctx, 'openat2', constantPartition(ENOSYS()), 'readOnlyOpens');
  // open_by_handle_at needs CAP_DAC_READ_SEARCH, which no profile grants; its write-class opens are denied all the same.
  const byHandle: Dnf = [[atom(FLAGS_ARG_INDEX.open_by_handle_at as number, 'MASKED_EQ', WRITE_OPEN_MASK, 0n)]];
  denyWhereAllowed(built, ctx, 'open_by_handle_at', negateDnf(byHandle), makeAction('errno', E.EROFS));
  // The rest of the class "writes outside the writable list" (vocabulary.ts PATH_MUTATING_CALLS).
  for (const name of PATH_MUTATING_CALLS) denyWhereAllowed(built, ctx, name, TRUE, makeAction('errno', E.EROFS));
  for (const name of UNSEEN_IO_CALLS) denyWhereAllowed(built, ctx, name, TRUE, ENOSYS());
  for (const [name, idx] of Object.entries(CHMOD_MODE_ARG)) {
    denyWhereAllowed(built, ctx, name, negateDnf([[atom(idx, 'MASKED_EQ', SET_ID_BITS, 0n)]]), makeAction('errno', E.EPERM));
  }
}

/** socketFamilies: socket and socketpair only for these families, others EAFNOSUPPORT. */
function socketFamilies(built: Built, ctx: BuildContext): void {
  const families = ctx.filter.socketFamilies;
  if (!families) return;
  const fams: Dnf = families.map((name, i) => {
    const n = AF[name];
    if (n === undefined) fail(ctx.opts, `socketFamilies[${i}]`, `unknown address family "${name}"`, `use one of ${Object.keys(AF).join(', ')}`);
    // Allow rules compare all 64 bits: a family with upper bits set is not allowed (fail closed).
    return [atom(FLAGS_ARG_INDEX.socket as number, 'EQ', BigInt(n))];
  });
  const restriction: Partition = new Map([
    ['allow', { action: makeAction('allow'), dnf: fams }],
    ['deny', { action: makeAction('errno', E.EAFNOSUPPORT), dnf: negateDnf(fams) }],
  ]);
  restrict(built, ctx, 'socket', restriction, 'socketFamilies');
  restrict(built, ctx, 'socketpair', restriction, 'socketFamilies');
}

/** A filter that denies clone3 without naming it answers ENOSYS: glibc's pthread_create tries clone3 first and falls back to clone only on ENOSYS. */
function clone3Fallback({ model, source }: Built, ctx: BuildContext): void {
  if (source.has('clone3') || !ctx.exists('clone3')) return;
  const p = model.syscalls.get('clone3') ?? constantPartition(ctx.defaultAction);
  if ([...p.values()].every((c) => c.action.kind === 'errno')) model.syscalls.set('clone3', constantPartition(ENOSYS()));
}

// ---------------------------------------------------------------------------------------------
// runc's init and the agent

interface FoundNeed extends AgentNeed {
  region: Dnf;
  notifiable: boolean;
}

function findNeeds(built: Built, opts: CompileOptions): FoundNeed[] {
  const { model, source } = built;
  const out: FoundNeed[] = [];
  const seen = new Set<string>();
  const check = (syscall: string, args: bigint[], reason: string, region: Dnf, notifiable: boolean) => {
    const action = partitionAction(model.syscalls.get(syscall), args, model.defaultAction, dnfHolds);
    if (permits(action)) return;
    const key = `${syscall}|${reason}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ syscall, reason, field: source.get(syscall) ?? fieldOf(opts, 'defaultAction'), afterStart: describeAction(action), region, notifiable });
  };
  for (const p of RUNC_INIT_PROBES) {
    if (model.architectures.some((a) => syscallExists(p.syscall, ARCH_BY_SCMP[a]?.resolver as string))) check(p.syscall, p.args, p.why, p.region, p.notifiable);
  }
  if (out.some((n) => n.syscall === 'execve')) check('execveat', [], 'the exec policy covers execveat as well as execve', TRUE, true);
  // Notify rules the author wrote (and readOnlyOpens with the agent) need the agent too.
  for (const [name, p] of model.syscalls) {
    for (const c of p.values()) {
      if (c.action.kind === 'notify' && !out.some((n) => n.syscall === name)) {
        out.push({ syscall: name, reason: 'the profile sends it to the agent', field: source.get(name) ?? fieldOf(opts, 'rules'), afterStart: describeAction(c.action), region: c.dnf, notifiable: true });
      }
    }
  }
  return out;
}

/**
 * The exec-once invariant. Every call the filter sends to the agent is one the agent allows
 * only before the first exec (runc's init) and answers with the profile's action after it. The
 * agent can only know when "after" begins if it sees that exec: so once anything is notified,
 * every exec the filter would let run (execve, execveat, any cell that permits) is notified too.
 * Without this, a profile that allows execve but denies clone kept fork open for the
 * container's whole life: the agent never saw the exec and answered clone as if runc's init
 * were still running. Returns the exec calls the profile allows unconditionally (the agent lets
 * those run after the first exec too); an exec the profile allows only under conditions (an
 * execveat flags rule) becomes exec-once, which is tighter than the profile, never looser.
 */
function sendExecsToAgent(built: Built, notify: Action): string[] {
  const { model } = built;
  const execAllowed: string[] = [];
  for (const name of EXEC_SYSCALLS) {
    if (!model.architectures.some((a) => syscallExists(name, ARCH_BY_SCMP[a]?.resolver as string))) continue;
    const p = model.syscalls.get(name) ?? constantPartition(model.defaultAction);
    const cells = [...p.values()];
    if (cells.every((c) => permits(c.action))) execAllowed.push(name);
    if (cells.some((c) => permits(c.action))) model.syscalls.set(name, rewriteInside(p, TRUE, permits, notify));
  }
  return execAllowed;
}

/** The field a denial is reported under, relative to the syscallFilter block. */
function relativeField(field: string, opts: CompileOptions): string {
  return field.startsWith(`${opts.fieldBase}.`) ? field.slice(opts.fieldBase.length + 1) : field;
}

/**
 * Every denial visible (issue 10). Runs after the agent's own calls are notified: a call with
 * any notified cell already (runc's init, exec, write gating, the author's notify rules) keeps
 * the agent's usual rules and is listed in agentCalls. For every other call whose denied cells
 * all answer one errno, those cells become SCMP_ACT_NOTIFY and the agent answers that errno,
 * logging the field behind it. The calls no rule names get the errno default; runc refuses
 * NOTIFY as the default action, so each one that exists on the filter's architectures (and is
 * not above runc's ENOSYS stub, below) is named with a NOTIFY rule, and the metadata carries
 * only the default's errno and field.
 * Allowed cells are untouched, so an allowed call costs what it did; a denied one becomes a
 * round trip to the agent (`npm run bench -- --cases g`). Not rewritten (they stay in the
 * kernel, unlogged): ENOSYS answers (fallbacks, below), kill, trap and trace actions, calls
 * whose denied cells answer different errnos, and conditional denials too costly to encode
 * (cheapToEncode).
 * Audit mode (the profile's `audit`): every denial but ENOSYS answers goes to the agent, kill
 * and trap rules included, to be logged and continued; a call whose rewrite is too costly is
 * sent whole with its denied ranges (`conditional`), or, where that cannot be carried, left in
 * the kernel and listed (`enforced`).
 * `denials` is undefined when nothing was rewritten.
 */
function sendDenialsToAgent(built: Built, opts: CompileOptions, notify: Action, audit: boolean): { denials?: FilterDenials; enforced: string[]; conditional: Record<string, ConditionalDenial> } {
  const { model, source } = built;
  const exists = (n: string) => model.architectures.some((a) => syscallExists(n, ARCH_BY_SCMP[a]?.resolver as string));
  const names: Record<string, DenialRule> = {};
  const agentCalls: string[] = [];
  /** Calls with denials that stay in the kernel although the profile is in audit mode. */
  const enforced: string[] = [];
  const conditional: Record<string, ConditionalDenial> = {};
  const denyErrno = (p: Partition): number | undefined => {
    const denied = [...p.values()].filter((c) => !permits(c.action));
    if (denied.length === 0 || denied.some((c) => c.action.kind !== 'errno')) return undefined;
    const errnos = new Set(denied.map((c) => c.action.errno));
    return errnos.size === 1 ? denied[0]?.action.errno : undefined;
  };
  for (const [name, p] of [...model.syscalls].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (!exists(name)) continue;
    if ([...p.values()].some((c) => c.action.kind === 'notify')) {
      agentCalls.push(name);
      // Audit: the rest of the call's denials go to the agent too; it answers them by its own
      // rules (after the first exec: would deny, allowed), never silently enforced.
      if (audit && [...p.values()].some((c) => audited(c.action))) {
        const rewritten = rewriteInside(p, TRUE, audited, notify);
        if (cheapToEncode(name, rewritten, model)) model.syscalls.set(name, rewritten);
        else enforced.push(name);
      }
      continue;
    }
    const field = relativeField(source.get(name) ?? fieldOf(opts, 'defaultAction'), opts);
    if (audit) {
      const cells = [...p.values()].filter((c) => audited(c.action)).sort((a, b) => rank(b.action) - rank(a.action));
      const strictest = cells[0]?.action;
      if (strictest === undefined) continue;
      // Named only by allow entries (an ioctl allow-list) and denied with the default's action: the default denies it.
      const auditField = built.allowFields.has(source.get(name) ?? '') && sameAction(strictest, model.defaultAction) ? 'defaultAction' : field;
      const rewritten = rewriteInside(p, TRUE, audited, notify);
      if (cheapToEncode(name, rewritten, model)) {
        model.syscalls.set(name, rewritten);
        names[name] = denialRule(strictest, auditField);
        continue;
      }
      // The whole call goes to the agent (one rule), with the ranges the filter denies.
      const denied = serialDnf(cells.flatMap((c) => c.dnf));
      const mixed = [...p.values()].some((c) => !permits(c.action) && !audited(c.action));
      if (mixed || denied === undefined) {
        enforced.push(name);
        continue;
      }
      model.syscalls.set(name, constantPartition(notify));
      conditional[name] = { denied, rule: denialRule(strictest, auditField) };
      continue;
    }
    const errno = denyErrno(p);
    // ENOSYS answers are fallbacks the profile asks for on purpose (clone3 -> clone, openat2 ->
    // openat, io_uring -> plain calls), and callers retry them per call (glibc tries clone3 on
    // every pthread_create): a round trip each would tax every thread for a line nobody needs.
    if (errno === undefined || errno === E.ENOSYS) continue;
    const rewritten = rewriteInside(p, TRUE, (a) => !permits(a), notify);
    if (!cheapToEncode(name, rewritten, model)) continue;
    model.syscalls.set(name, rewritten);
    names[name] = [errno, field];
  }
  let dflt: DenialRule | undefined;
  if (audit ? audited(model.defaultAction) : model.defaultAction.kind === 'errno') {
    dflt = denialRule(model.defaultAction, 'defaultAction');
    // runc answers ENOSYS, not the default, for every call numbered above the highest one the
    // filter names (its stub for calls newer than the filter; glibc falls back on ENOSYS, e.g.
    // fchmodat2 -> fchmodat). Naming only calls below that keeps those answers as they were.
    const resolvers = model.architectures.map((a) => ARCH_BY_SCMP[a]?.resolver as string);
    const highest = new Map(resolvers.map((r) => [r, Math.max(-1, ...[...model.syscalls.keys()].map((n) => syscallNumber(n, r) ?? -1))]));
    const belowStub = (n: string) => resolvers.every((r) => (syscallNumber(n, r) ?? -1) <= (highest.get(r) ?? -1));
    for (const name of allSyscallNames()) {
      if (model.syscalls.has(name) || !exists(name) || !belowStub(name)) continue;
      model.syscalls.set(name, constantPartition(notify));
    }
  }
  // A call sent whole for audit is no agent call and no listed denial: the agent's audit table decides it.
  const result = { enforced, conditional };
  if (Object.keys(names).length === 0 && dflt === undefined) return result;
  return { denials: { names, ...(dflt ? { default: dflt } : {}), agentCalls: [...agentCalls, ...Object.keys(conditional)].sort() }, ...result };
}

/** A DNF as the metadata carries it; undefined when it is too large to carry. */
function serialDnf(d: Dnf): SerialAtom[][] | undefined {
  if (d.length > MAX_CONDITIONAL_TERMS || d.some((t) => t.length > MAX_CONDITIONAL_ATOMS)) return undefined;
  return d.map((t) => t.map((a) => [a.index, a.op, `0x${a.value.toString(16)}`, `0x${a.valueTwo.toString(16)}`]));
}

/**
 * What audit mode sends to the agent: every denial but ENOSYS answers (fallbacks the profile
 * asks for: the workload goes on without them, under audit as under enforcement) and trace
 * (a tracer's business, which profiles cannot write).
 */
function audited(a: Action): boolean {
  if (permits(a) || a.kind === 'notify' || a.kind === 'trace') return false;
  return !(a.kind === 'errno' && a.errno === E.ENOSYS);
}

function denialRule(a: Action, field: string): DenialRule {
  if (a.kind === 'errno') return [a.errno ?? (E.EPERM as number), field];
  return [E.EPERM as number, field, a.kind as AuditedAction];
}

/**
 * A filter that needs no agent, its errno denials sent to the agent only to be logged. Nothing
 * else is notified, so no exec is either: the agent answers every notification here by the
 * filter's own rule, in every phase (decide.ts filterDenial), and runc's or crun's init gets the
 * errno the kernel gave it before. Unchanged when nothing could be sent (no errno denials).
 */
function denialsOnly(plain: Built, opts: CompileOptions, agent: NonNullable<CompileOptions['agent']>): SpecSeccomp {
  const { denials: filterDenials } = sendDenialsToAgent(plain, opts, makeAction('notify'), false);
  if (!filterDenials) return encodeSeccomp(plain.model);
  plain.model.listenerPath = agent.listenerPath;
  const meta = agent.listenerMetadata;
  plain.model.listenerMetadata = typeof meta === 'string' ? meta : meta({ execAllowed: [], writeGated: [], filterDenials });
  return encodeSeccomp(plain.model);
}

/** Most rules one call's NOTIFY rewrite may take (the smythos ioctl allow-list's complement takes 17). */
const MAX_DENIAL_RULES = 12;

/**
 * Whether a call's denied cells can go to the agent without making the filter too hard to
 * combine. Where the denied part is what a default left (every ioctl request but six), or its
 * complement is (every request but TIOCSTI, once an engine's errno default is merged in), the
 * NOTIFY rules or the allow rules beside them spell out a complement in masked comparisons,
 * and reading the merged filter back (combine.ts: the engine's filter, a second merge)
 * multiplies them out past the algebra's limit. Tried here as a merge would: encoded under an
 * errno and an allow default, read back, intersected with itself. Calls that fail stay denied
 * in the kernel, unlogged (docs/seccomp-agent.md, "Which denials are logged").
 */
function cheapToEncode(name: string, p: Partition, model: FilterModel): boolean {
  if ([...p.values()].length === 1) return true;
  try {
    for (const defaultAction of [makeAction('errno'), makeAction('allow')]) {
      const encoded = encodeSeccomp({ defaultAction, architectures: model.architectures, syscalls: new Map([[name, p]]) });
      if ((encoded.syscalls ?? []).length > MAX_DENIAL_RULES) return false;
      const back = decodeSeccomp(encoded).syscalls.get(name) ?? constantPartition(defaultAction);
      intersectPartitions(p, back);
      // The encoder drops a cell it cannot spell out when the default is as strict (a NOTIFY
      // region beside allow cells under an errno default: personality's five allowed values)
      // and widens one when it is not: either way the kernel would answer otherwise than the
      // NOTIFY region says, and the metadata would claim a denial the log never shows.
      if (!sameNotifyRegion(p, back)) return false;
    }
    return true;
  } catch (e) {
    if (e instanceof AlgebraLimitError) return false;
    throw e;
  }
}

/** Whether `a` and `b` notify exactly the same arguments (no overlap of a NOTIFY cell of one with another action of the other). */
function sameNotifyRegion(a: Partition, b: Partition): boolean {
  for (const x of a.values()) {
    for (const y of b.values()) {
      if ((x.action.kind === 'notify') === (y.action.kind === 'notify')) continue;
      if (andDnf(x.dnf, y.dnf).some(satisfiable)) return false;
    }
  }
  return true;
}

/**
 * Whether some arguments satisfy `t`. The algebra's own emptiness test is sound but not
 * complete (it may keep an empty term), so each index is cut into exact blocks; a set too
 * fragmented to cut counts as satisfiable (the call then stays in the kernel: never wrong).
 */
function satisfiable(t: Term): boolean {
  const byIndex = new Map<number, Atom[]>();
  for (const a of t) byIndex.set(a.index, [...(byIndex.get(a.index) ?? []), a]);
  for (const [index, atoms] of byIndex) {
    const c = constraintOf(atoms);
    if (!c) return false;
    if (constraintAsUnion(index, c, 256)?.length === 0) return false;
  }
  return true;
}

function agentError(needs: AgentNeed[], opts: CompileOptions): OpenclawError {
  const list = needs.map((n) => `${n.syscall} (${n.field.startsWith(opts.fieldBase) ? n.field.slice(opts.fieldBase.length + 1) : n.field}: ${n.reason})`).join('; ');
  return new OpenclawError(
    'seccomp',
    `this syscall filter needs the seccomp agent (issue 3): runc's init keeps running after the filter is loaded (it opens its exec fifo O_WRONLY and execs the entrypoint), so under plain runc the container could not start; it denies ${list}`,
    { file: opts.profileFile, field: opts.fieldBase, fix: 'configure the seccomp agent (agent.socket in the runtime config), or allow these calls in the profile' },
  );
}

/** Why a filter needs the seccomp agent (empty: it works under plain runc). Pure. */
export function describeAgentNeeds(filter: SyscallFilter, opts: Partial<CompileOptions> = {}): AgentNeed[] {
  const o: CompileOptions = { profileFile: opts.profileFile ?? '<profile>', fieldBase: opts.fieldBase ?? 'spec.isolation.syscallFilter', ...opts };
  const built = guardComplexity(o.profileFile, o.fieldBase, () => buildModel(filter, o, false));
  return findNeeds(built, o).map(({ syscall, reason, field, afterStart }) => ({ syscall, reason, field, afterStart }));
}

/**
 * The profile's filter as its author wrote it, read as if runc's init needed nothing: no agent,
 * nothing notified, readOnlyOpens' write-class opens EROFS. Not a filter to run (runc's init
 * may not start under it): the reference that the compiled filter plus the agent must never be
 * looser than once the workload runs (test/properties/exec-once.test.ts).
 */
export function compileAsWritten(filter: SyscallFilter, opts: CompileOptions): SpecSeccomp {
  return guardComplexity(opts.profileFile, opts.fieldBase, () => encodeSeccomp(buildModel(filter, opts, false).model));
}

export function compileSyscallFilter(filter: SyscallFilter, opts: CompileOptions): SpecSeccomp {
  return guardComplexity(opts.profileFile, opts.fieldBase, () => {
    const plain = buildModel(filter, opts, false);
    const needs = findNeeds(plain, opts);
    const audit = filter.audit === true && opts.ignoreAudit !== true;
    if (needs.length === 0 && !audit) return opts.agent && opts.logFilterDenials ? denialsOnly(plain, opts, opts.agent) : encodeSeccomp(plain.model);
    if (!opts.agent) {
      if (needs.length > 0) throw agentError(needs, opts);
      throw new OpenclawError('seccomp', 'audit mode logs what the filter would deny through the seccomp agent, and no agent is configured', {
        file: opts.profileFile,
        field: fieldOf(opts, 'audit'),
        fix: 'configure the seccomp agent (agent.socket in the runtime config), or remove audit',
      });
    }
    const write = needs.find((n) => !n.notifiable);
    if (write) {
      throw new OpenclawError('seccomp', `${write.syscall} is denied (${write.field}), but ${write.reason} and runc refuses SCMP_ACT_NOTIFY for ${write.syscall}`, {
        file: opts.profileFile,
        field: write.field,
        fix: `allow ${write.syscall} (add it to the whitelist)`,
      });
    }
    const built = buildModel(filter, opts, true);
    const notify = makeAction('notify');
    for (const n of findNeeds(built, opts)) {
      const p = built.model.syscalls.get(n.syscall) ?? constantPartition(built.model.defaultAction);
      const region = (EXEC_SYSCALLS as readonly string[]).includes(n.syscall) ? TRUE : n.region;
      built.model.syscalls.set(n.syscall, rewriteInside(p, region, (a) => !permits(a) && rank(a) !== rank(notify), notify));
    }
    const execAllowed = sendExecsToAgent(built, notify);
    const { denials: filterDenials, enforced, conditional } = sendDenialsToAgent(built, opts, notify, audit);
    built.model.listenerPath = opts.agent.listenerPath;
    const meta = opts.agent.listenerMetadata;
    built.model.listenerMetadata = typeof meta === 'string' ? meta : meta({ execAllowed, writeGated: built.writeGated, ...(filterDenials ? { filterDenials } : {}), ...(audit ? { audit: { enforced, ...(Object.keys(conditional).length > 0 ? { conditional } : {}) } } : {}) });
    return encodeSeccomp(built.model);
  });
}
