/**
 * Profile `syscallFilter` -> OCI linux.seccomp.
 *
 * Meaning of the profile's keys (see shim/profile/schema.ts):
 *  - whitelist: allowed; blacklist: blacklistAction (default errno). Some blacklist names mean
 *    more (BLACKLIST_MEANINGS): `clone` blocks processes but keeps threads, and takes fork, vfork
 *    and clone3 with it; `clone3` answers ENOSYS so glibc falls back to clone.
 *  - rules: OCI-style rules; conditions are ANDed (also on the same index, unlike runc).
 *  - readOnlyOpens: write-class open/openat (flags & 0x400243), creat -> denied (the agent
 *    decides, writablePaths); openat2 -> ENOSYS (its flags sit in a struct seccomp cannot read).
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
 */
import { OpenclawError } from '../errors.js';
import type { ProfileSyscallFilter } from '../profile/schema.js';
import type { SpecSeccomp } from '../spec/types.js';
import { TRUE, atom, dnfHolds, negateDnf, type Dnf } from './algebra.js';
import {
  constantPartition,
  decodeSeccomp,
  describeAction,
  encodeSeccomp,
  guardComplexity,
  intersectPartitions,
  makeAction,
  partitionAction,
  permits,
  rank,
  rewriteInside,
  type Action,
  type FilterModel,
  type Partition,
} from './model.js';
import { partitionsOfRules, checkSyscallName, type RuleContext, type RuleInput } from './rules.js';
import { EXEC_SYSCALLS, initProbesFor, type LowLevelRuntime } from './runc-init.js';
import {
  ACTION_WORDS,
  AF,
  ARCH_BY_SCMP,
  CLONE_FLAGS_INDEX_BY_ARCH,
  CLONE_THREADS_ONLY,
  CMP_BY_OCI,
  ERRNO,
  FLAGS_ARG_INDEX,
  WRITE_OPEN_MASK,
  nativeScmpArch,
} from './vocabulary.js';
import { syscallExists } from './syscall-table.js';

export interface CompileOptions {
  /** The profile's file, named in every error. */
  profileFile: string;
  /** Dotted path of the syscallFilter block, e.g. `spec.isolation.syscallFilter`. */
  fieldBase: string;
  /** A Docker-style JSON already parsed (import.ts): the base to start from. */
  imported?: SpecSeccomp;
  /** The seccomp agent (issue 3): calls the filter cannot decide alone go to it. */
  agent?: { listenerPath: string; listenerMetadata: string };
  /** SCMP_ARCH_* of the host; default from process.arch. */
  nativeArch?: string;
  /** The low-level runtimes the filter must start under (their post-filter calls, runc-init.ts); default runc. */
  initRuntimes?: readonly LowLevelRuntime[];
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

/** Blacklist names with a precise meaning. NOTE when adding one also update docs/profile-reference.md. */
const BLACKLIST_MEANINGS: Readonly<Record<string, Special>> = {
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

function checkedArchitectures(filter: ProfileSyscallFilter, opts: CompileOptions): string[] {
  const arches = filter.architectures ?? [opts.nativeArch ?? nativeScmpArch()];
  arches.forEach((a, i) => {
    if (!ARCH_BY_SCMP[a]) fail(opts, `architectures[${i}]`, `unknown architecture "${a}"`, `use one of ${Object.keys(ARCH_BY_SCMP).join(', ')}`);
  });
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

function buildModel(filter: ProfileSyscallFilter, opts: CompileOptions, agentPresent: boolean): Built {
  const defaultAction = actionOf(opts, 'defaultAction', filter.defaultAction, filter.defaultErrno, E.EPERM as number, 'defaultErrno');
  if (defaultAction.kind === 'notify') fail(opts, 'defaultAction', 'runc refuses SCMP_ACT_NOTIFY as the default action', 'use errno and send chosen syscalls to the agent with rules');
  const defErrno = errnoNumber(opts, 'defaultErrno', filter.defaultErrno) ?? (E.EPERM as number);
  const blacklistAction = filter.blacklistAction ? actionOf(opts, 'blacklistAction', filter.blacklistAction, undefined, defErrno, 'blacklistAction') : makeAction('errno', defErrno);
  const architectures = checkedArchitectures(filter, opts);
  const ctx: RuleContext = { file: opts.profileFile, defaultAction, architectures, archCheck: 'every' };
  const source = new Map<string, string>();

  // whitelist and blacklist must not overlap
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
      checkSyscallName(ctx, name, f);
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

  const explicit = partitionsOfRules(inputs, ctx);
  for (const r of inputs) r.names.forEach((n, k) => source.has(n) || source.set(n, r.nameField(k)));

  const base: FilterModel = opts.imported ? decodeSeccomp(opts.imported) : { defaultAction, architectures, syscalls: new Map() };
  const syscalls = new Map<string, Partition>(base.syscalls);
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

  const exists = (n: string) => architectures.some((a) => syscallExists(n, ARCH_BY_SCMP[a]?.resolver as string));
  const restrict = (name: string, restriction: Partition, key: string) => {
    if (!exists(name)) return;
    const current = syscalls.get(name) ?? constantPartition(makeAction('allow'));
    syscalls.set(name, intersectPartitions(restriction, current));
    if (!source.has(name)) source.set(name, fieldOf(opts, key));
  };

  if (filter.readOnlyOpens) {
    // Without the agent this is only used to find what needs it (and then refused).
    const writeDeny = agentPresent ? makeAction('notify') : makeAction('errno', E.EROFS);
    for (const name of ['open', 'openat'] as const) {
      const idx = FLAGS_ARG_INDEX[name] as number;
      const ro: Dnf = [[atom(idx, 'MASKED_EQ', WRITE_OPEN_MASK, 0n)]];
      restrict(name, new Map([['ro', { action: makeAction('allow'), dnf: ro }], ['w', { action: writeDeny, dnf: negateDnf(ro) }]]), 'readOnlyOpens');
    }
    restrict('creat', constantPartition(writeDeny), 'readOnlyOpens');
    restrict('openat2', constantPartition(ENOSYS()), 'readOnlyOpens');
  }

  if (filter.socketFamilies) {
    const fams: Dnf = filter.socketFamilies.map((name, i) => {
      const n = AF[name];
      if (n === undefined) fail(opts, `socketFamilies[${i}]`, `unknown address family "${name}"`, `use one of ${Object.keys(AF).join(', ')}`);
      // Allow rules compare all 64 bits: a family with upper bits set is not allowed (fail closed).
      return [atom(FLAGS_ARG_INDEX.socket as number, 'EQ', BigInt(n))];
    });
    const restriction: Partition = new Map([
      ['allow', { action: makeAction('allow'), dnf: fams }],
      ['deny', { action: makeAction('errno', E.EAFNOSUPPORT), dnf: negateDnf(fams) }],
    ]);
    restrict('socket', restriction, 'socketFamilies');
    restrict('socketpair', restriction, 'socketFamilies');
  }

  // glibc's pthread_create tries clone3 first and falls back to clone only on ENOSYS.
  if (!source.has('clone3') && exists('clone3')) {
    const p = syscalls.get('clone3') ?? constantPartition(defaultAction);
    if ([...p.values()].every((c) => c.action.kind === 'errno')) syscalls.set('clone3', constantPartition(ENOSYS()));
  }

  return { model: { defaultAction, architectures, syscalls }, source };
}

// ---------------------------------------------------------------------------------------------
// runc's init and the agent

interface FoundNeed extends AgentNeed {
  region: Dnf;
  notifiable: boolean;
}

/** listener: whether the filter will have a listenerPath (some runtimes make more calls then). */
function findNeeds(built: Built, opts: CompileOptions, listener: boolean): FoundNeed[] {
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
  for (const p of initProbesFor(opts.initRuntimes ?? ['runc']).filter((q) => listener || !q.withListener)) {
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

function agentError(needs: AgentNeed[], opts: CompileOptions): OpenclawError {
  const list = needs.map((n) => `${n.syscall} (${n.field.startsWith(opts.fieldBase) ? n.field.slice(opts.fieldBase.length + 1) : n.field}: ${n.reason})`).join('; ');
  return new OpenclawError(
    'seccomp',
    `this syscall filter needs the seccomp agent (issue 3): runc's init keeps running after the filter is loaded (it opens its exec fifo O_WRONLY and execs the entrypoint), so under plain runc the container could not start; it denies ${list}`,
    { file: opts.profileFile, field: opts.fieldBase, fix: 'configure the seccomp agent (agent.socket in the runtime config), or allow these calls in the profile' },
  );
}

/** Why a filter needs the seccomp agent (empty: it works under plain runc). Pure. */
export function describeAgentNeeds(filter: ProfileSyscallFilter, opts: Partial<CompileOptions> = {}): AgentNeed[] {
  const o: CompileOptions = { profileFile: opts.profileFile ?? '<profile>', fieldBase: opts.fieldBase ?? 'spec.isolation.syscallFilter', ...opts };
  const built = guardComplexity(o.profileFile, o.fieldBase, () => buildModel(filter, o, false));
  const needs = findNeeds(built, o, false).length === 0 ? [] : findNeeds(built, o, true);
  return needs.map(({ syscall, reason, field, afterStart }) => ({ syscall, reason, field, afterStart }));
}

export function compileSyscallFilter(filter: ProfileSyscallFilter, opts: CompileOptions): SpecSeccomp {
  return guardComplexity(opts.profileFile, opts.fieldBase, () => {
    const plain = buildModel(filter, opts, false);
    if (findNeeds(plain, opts, false).length === 0) return encodeSeccomp(plain.model);
    // The agent is needed: the filter gets a listener, and the runtime's listener-only calls count too.
    const needs = findNeeds(plain, opts, true);
    if (!opts.agent) throw agentError(needs, opts);
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
    for (const n of findNeeds(built, opts, true)) {
      const p = built.model.syscalls.get(n.syscall) ?? constantPartition(built.model.defaultAction);
      const region = (EXEC_SYSCALLS as readonly string[]).includes(n.syscall) ? TRUE : n.region;
      built.model.syscalls.set(n.syscall, rewriteInside(p, region, (a) => !permits(a) && rank(a) !== rank(notify), notify));
    }
    built.model.listenerPath = opts.agent.listenerPath;
    built.model.listenerMetadata = opts.agent.listenerMetadata;
    return encodeSeccomp(built.model);
  });
}
