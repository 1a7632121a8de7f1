/**
 * Rules as authors write them (a profile's whitelist/blacklist/rules, or an imported JSON's
 * syscalls[]) -> per-syscall partitions, with the lints both inputs share. Every error names the
 * file, the exact field and the fix.
 *
 * Meaning we give a rule (the OCI spec's, not runc's accident): its conditions are ANDed, also
 * when two of them test the same index (runc would OR those; we merge them into one condition
 * or split the rule, see oci-codec.ts encodeSeccomp).
 */
import { OpenclawError } from '../errors.js';
import { simplifyTerm, type Atom, type Dnf } from './algebra.js';
import { partitionOfRules, permits, describeAction, sameAction, type Action, type Cell, type Partition } from './model.js';
import { ARCH_BY_SCMP, FLAGS_ARG_INDEX, INT_ARGS, POINTER_ARGS, U32_MASK } from './vocabulary.js';
import { isKnownSyscall, syscallExists } from './syscall-table.js';

export interface RuleInput {
  /** Field path of the rule, e.g. `spec.isolation.syscallFilter.rules[2]` or `syscalls[1]`. */
  field: string;
  names: string[];
  /** Field path of names[i]. */
  nameField: (i: number) => string;
  action: Action;
  args: Atom[];
}

export interface RuleContext {
  file: string;
  defaultAction: Action;
  architectures: string[];
  /**
   * `every`: a name must exist on every listed architecture (profiles: the author lists the
   * ABIs the workload uses). `some`: on at least one (imported Docker-style JSON lists several
   * ABIs and relies on libseccomp skipping names an ABI lacks). `none`: Docker's multi-arch
   * files (archMap) name every ABI's syscalls; only unknown names are errors.
   */
  archCheck: 'every' | 'some' | 'none';
}

function fail(ctx: RuleContext, field: string, problem: string, fix: string): never {
  throw new OpenclawError('seccomp', problem, { file: ctx.file, field, fix });
}

export function checkSyscallName(ctx: RuleContext, name: string, field: string): void {
  if (!isKnownSyscall(name)) {
    fail(ctx, field, `unknown system call "${name}" (runc would silently ignore it)`, 'check the spelling against `scmp_sys_resolver NAME` or remove it');
  }
  const missing = ctx.architectures.filter((a) => {
    const r = ARCH_BY_SCMP[a]?.resolver;
    return r !== undefined && !syscallExists(name, r);
  });
  const tooMany = ctx.archCheck === 'every' ? missing.length > 0 : ctx.archCheck === 'some' ? missing.length === ctx.architectures.length : false;
  if (tooMany) {
    fail(ctx, field, `system call "${name}" does not exist on ${missing.join(', ')}`, `remove it, or list only architectures that have it`);
  }
}

function checkArg(ctx: RuleContext, name: string, a: Atom, field: string): void {
  if (!Number.isInteger(a.index) || a.index < 0 || a.index > 5) {
    fail(ctx, `${field}.index`, `argument index ${a.index} is out of range`, 'system calls have arguments 0 to 5');
  }
  if ((POINTER_ARGS[name] ?? []).includes(a.index)) {
    const flags = FLAGS_ARG_INDEX[name];
    fail(
      ctx,
      `${field}.index`,
      `argument ${a.index} of ${name} is a pointer: seccomp would compare its address, never the data behind it`,
      flags === undefined ? `remove the condition; ${name}'s arguments that matter cannot be filtered by seccomp` : `${name}'s flags are argument ${flags}`,
    );
  }
  if (a.op === 'MASKED_EQ') {
    if (a.value === 0n) {
      fail(ctx, `${field}.value`, 'SCMP_CMP_MASKED_EQ with mask 0 matches every call (value is the mask, valueTwo the expected bits)', 'put the bits to test in value and the expected bits in valueTwo, e.g. value 0x3 valueTwo 0');
    }
    if ((a.valueTwo & ~a.value) !== 0n) {
      fail(ctx, `${field}.valueTwo`, `valueTwo 0x${a.valueTwo.toString(16)} has bits outside the mask 0x${a.value.toString(16)}, so the condition never matches`, 'valueTwo must be a subset of value (the mask)');
    }
  }
}

/**
 * The kernel reads int arguments from the low 32 bits only; seccomp compares 64. A deny that
 * tests "== X" must compare the low half or X | 1<<32 slips past it.
 */
function lowHalfForDeny(ctx: RuleContext, name: string, a: Atom, field: string): Atom {
  if (!(INT_ARGS[name] ?? []).includes(a.index)) return a;
  if (a.op === 'EQ' && a.value <= U32_MASK) return { index: a.index, op: 'MASKED_EQ', value: U32_MASK, valueTwo: a.value };
  if (a.op === 'MASKED_EQ') {
    const mask = a.value & U32_MASK;
    if (mask === 0n) fail(ctx, `${field}.value`, `argument ${a.index} of ${name} is a 32-bit int; the mask tests only bits the kernel ignores`, 'mask bits in the low 32 bits');
    return { ...a, value: mask, valueTwo: a.valueTwo & U32_MASK };
  }
  if (a.op === 'LT' || a.op === 'LE') {
    fail(ctx, `${field}.op`, `a deny on ${name} argument ${a.index} (a 32-bit int) with ${a.op} is dodged by setting the upper 32 bits`, 'express the denied values with SCMP_CMP_EQ or SCMP_CMP_MASKED_EQ, or allow the permitted values instead');
  }
  return a;
}

interface Entry {
  field: string;
  action: Action;
  dnf?: Dnf; // undefined: unconditional
}

/** Lints every rule and builds the partition of each syscall they name. */
export function partitionsOfRules(rules: readonly RuleInput[], ctx: RuleContext): Map<string, Partition> {
  const entries = new Map<string, Entry[]>();
  for (const r of rules) {
    if (r.action.kind === 'notify' && r.names.includes('write')) {
      fail(ctx, r.nameField(r.names.indexOf('write')), 'runc refuses SCMP_ACT_NOTIFY for write (its init writes to a pipe after the filter is loaded)', 'allow write, or deny it with another action');
    }
    r.names.forEach((name, i) => {
      checkSyscallName(ctx, name, r.nameField(i));
      r.args.forEach((a, j) => checkArg(ctx, name, a, `${r.field}.args[${j}]`));
      let dnf: Dnf | undefined;
      if (r.args.length > 0) {
        const atoms = permits(r.action) ? r.args : r.args.map((a, j) => lowHalfForDeny(ctx, name, a, `${r.field}.args[${j}]`));
        const term = simplifyTerm(atoms);
        if (!term) fail(ctx, `${r.field}.args`, `the conditions of this rule contradict each other, so it never matches ${name}`, 'fix the values or remove the rule');
        dnf = [term];
      }
      entries.set(name, [...(entries.get(name) ?? []), { field: r.nameField(i), action: r.action, dnf }]);
    });
  }
  const out = new Map<string, Partition>();
  for (const [name, list] of [...entries].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const uncond = list.filter((e) => !e.dnf);
    const cond = list.filter((e) => e.dnf);
    for (const u of uncond) {
      const clash = list.find((e) => e !== u && !sameAction(e.action, u.action));
      if (clash) {
        fail(
          ctx,
          clash.field,
          `${name} is given ${describeAction(u.action)} unconditionally at ${u.field} and ${describeAction(clash.action)}${clash.dnf ? ' with conditions' : ''} here; libseccomp would silently keep only the unconditional rule`,
          'give the syscall one unconditional action, or only conditional rules',
        );
      }
    }
    out.set(
      name,
      partitionOfRules(
        uncond.map((e) => e.action),
        cond.map((e): Cell => ({ action: e.action, dnf: e.dnf as Dnf })),
        ctx.defaultAction,
      ),
    );
  }
  return out;
}
