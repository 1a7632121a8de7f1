/**
 * Reference evaluator: what runc 1.1.5 + libseccomp + the kernel answer for one system call
 * under a linux.seccomp section. Written straight from the spec (not through model.ts or oci-codec.ts), so tests
 * can check the compiler and the combiner against an independent reading:
 *  - an architecture the filter does not list gets libseccomp's bad-arch action (kill);
 *  - rules whose action equals the default are skipped; unknown names never match;
 *  - a rule that repeats an argument index matches when ANY of its conditions holds (runc's
 *    matchCall adds one rule per condition), otherwise when all hold;
 *  - an unconditional rule beats conditional ones; among matching conditional rules the
 *    stricter action wins (our assumption for libseccomp's overlap handling).
 * Not modelled: runc's -ENOSYS stub for syscalls newer than any it knows, 32-bit argument
 * truncation on 32-bit ABIs.
 */
import type { SpecSeccomp, SpecSeccompArg } from '../oci/types.js';
import { ACTION_RANK, ACTION_WORDS, BAD_ARCH_ACTION, CMP_BY_OCI, ERRNO, nativeScmpArch, type ActionKind } from './vocabulary.js';
import { ARCH_BY_SCMP } from './vocabulary.js';
import { syscallExists } from './syscall-table.js';

export interface Verdict {
  action: ActionKind;
  errno?: number;
}

const TAKES_ERRNO: Partial<Record<ActionKind, true>> = { errno: true, trace: true };

function verdict(word: string, errnoRet: number | undefined): Verdict {
  const kind = ACTION_WORDS[word];
  if (!kind) throw new Error(`unknown seccomp action ${word}`);
  return TAKES_ERRNO[kind] ? { action: kind, errno: errnoRet ?? (ERRNO.EPERM as number) } : { action: kind };
}

function sameVerdict(a: Verdict, b: Verdict): boolean {
  return a.action === b.action && a.errno === b.errno;
}

/** The stricter verdict (kernel precedence); ties keep the first. */
export function stricterVerdict(a: Verdict, b: Verdict): Verdict {
  return ACTION_RANK[b.action] > ACTION_RANK[a.action] ? b : a;
}

export function verdictRank(v: Verdict): number {
  return ACTION_RANK[v.action];
}

function holds(arg: SpecSeccompArg, args: readonly bigint[]): boolean {
  const x = BigInt.asUintN(64, args[arg.index] ?? 0n);
  const v = BigInt.asUintN(64, BigInt(arg.value));
  switch (CMP_BY_OCI[arg.op]) {
    case 'EQ':
      return x === v;
    case 'NE':
      return x !== v;
    case 'LT':
      return x < v;
    case 'LE':
      return x <= v;
    case 'GT':
      return x > v;
    case 'GE':
      return x >= v;
    case 'MASKED_EQ':
      return (x & v) === BigInt.asUintN(64, BigInt(arg.valueTwo ?? 0));
    default:
      throw new Error(`unknown comparison ${arg.op}`);
  }
}

function ruleMatches(ruleArgs: readonly SpecSeccompArg[], args: readonly bigint[]): boolean {
  const indexes = ruleArgs.map((a) => a.index);
  const repeated = new Set(indexes).size !== indexes.length;
  return repeated ? ruleArgs.some((a) => holds(a, args)) : ruleArgs.every((a) => holds(a, args));
}

/**
 * @param arch an SCMP_ARCH_* name
 * @param args up to six argument registers (missing ones read as 0)
 */
export function evaluate(spec: SpecSeccomp, arch: string, syscallName: string, args: readonly bigint[] = []): Verdict {
  const arches = spec.architectures && spec.architectures.length > 0 ? spec.architectures : [nativeScmpArch()];
  if (!arches.includes(arch)) return { action: BAD_ARCH_ACTION };
  const def = verdict(spec.defaultAction, spec.defaultErrnoRet);
  const resolver = ARCH_BY_SCMP[arch]?.resolver;
  if (resolver && !syscallExists(syscallName, resolver)) return def;
  let unconditional: Verdict | undefined;
  let conditional: Verdict | undefined;
  for (const rule of spec.syscalls ?? []) {
    if (!rule.names.includes(syscallName)) continue;
    const v = verdict(rule.action, rule.errnoRet);
    if (sameVerdict(v, def)) continue;
    const ruleArgs = rule.args ?? [];
    if (ruleArgs.length === 0) unconditional = unconditional ? stricterVerdict(unconditional, v) : v;
    else if (ruleMatches(ruleArgs, args)) conditional = conditional ? stricterVerdict(conditional, v) : v;
  }
  return unconditional ?? conditional ?? def;
}
