/**
 * The input of the seccomp compiler: a profile's `syscallFilter` block (profile/schema.ts
 * composes it into the profile at spec.isolation.syscallFilter, or spec.syscallFilter), as zod
 * objects, strict like the rest of the profile. The words it accepts come from vocabulary.ts,
 * the tables the compiler itself reads, so the schema cannot accept a word the compiler does
 * not know or refuse one it does.
 */
import { z } from 'zod';
import { ARCH_BY_SCMP, OCI_CMP_WORDS, PROFILE_ACTION_WORDS } from './vocabulary.js';

/** Profile-level action words: vocabulary.ts PROFILE_ACTION_WORDS. */
export const SeccompActionSchema = z.enum(PROFILE_ACTION_WORDS);

/** An errno by name (EPERM) or number (1). The name is looked up where it is used (compile.ts), for the field it came from. */
export const errnoValue = z.union([z.string().regex(/^E[A-Z0-9]+$/, 'must be an errno name such as EPERM'), z.number().int().positive()]);

/** A 64-bit unsigned value: a number, or a string in decimal or 0x hex (exact beyond 2^53). */
export const u64Value = z
  .union([z.number().int().nonnegative(), z.string().regex(/^(0x[0-9a-fA-F]+|[0-9]+)$/, 'must be an unsigned integer, decimal or 0x hex')])
  .transform((v) => BigInt(v))
  .refine((v) => v <= 0xffffffffffffffffn, 'must fit in 64 bits');

export const SeccompArgSchema = z.strictObject({
  index: z.number().int().min(0).max(5),
  op: z.enum(OCI_CMP_WORDS),
  value: u64Value,
  valueTwo: u64Value.optional(),
});

export const SeccompRuleSchema = z.strictObject({
  names: z.array(z.string().min(1)).min(1),
  action: SeccompActionSchema,
  errno: errnoValue.optional(),
  args: z.array(SeccompArgSchema).optional(),
  comment: z.string().optional(),
});

const SCMP_ARCHES = Object.keys(ARCH_BY_SCMP);
/** An ABI our syscall table knows (vocabulary.ts ARCHES). */
const architecture = z.string().refine((a) => Object.hasOwn(ARCH_BY_SCMP, a), {
  error: (iss) => `unknown architecture ${JSON.stringify(iss.input)} (use one of ${SCMP_ARCHES.join(', ')})`,
});

export const SyscallFilterSchema = z.strictObject({
  /** What a syscall that no rule names gets. */
  defaultAction: SeccompActionSchema,
  /** Errno for `errno` actions that give none (default EPERM). */
  defaultErrno: errnoValue.optional(),
  /** Only these ABIs may make system calls; any other is killed (fail closed). Default: the host's native ABI. */
  architectures: z.array(architecture).min(1).optional(),
  /** Syscalls allowed (action allow). */
  whitelist: z.array(z.string().min(1)).optional(),
  /**
   * Syscalls denied (action blacklistAction, default errno). Some names carry a precise meaning:
   * `clone` denies process creation but keeps threads, `clone3` answers ENOSYS so libc falls back.
   */
  blacklist: z.array(z.string().min(1)).optional(),
  blacklistAction: SeccompActionSchema.optional(),
  /** Argument-filtered rules in the libseccomp/OCI vocabulary. */
  rules: z.array(SeccompRuleSchema).optional(),
  /** Deny opens with a write-class flag (access mode, O_CREAT, O_TRUNC, O_TMPFILE) after the entrypoint starts. Needs the seccomp agent. */
  readOnlyOpens: z.boolean().optional(),
  /** Only these socket families may be created (e.g. [AF_UNIX]); others get EAFNOSUPPORT. */
  socketFamilies: z.array(z.string().regex(/^AF_[A-Z0-9]+$/, 'must be an AF_* name')).optional(),
  /** A libseccomp/Docker-style JSON profile to start from, relative to this profile's file. */
  import: z.string().min(1).optional(),
  /**
   * Audit mode, for rolling a profile out: every call this filter or the agent would deny is
   * logged ("audit: would deny", with its rule) and then allowed. A field of the profile, never
   * an annotation: it loosens, and the container's creator is not trusted (a profile with it
   * cannot be chosen by annotation). Needs the seccomp agent. Shown by merge --diff, in the
   * applied annotation, by denials, explain and lint (OC109).
   */
  audit: z.boolean().optional(),
});

export type SyscallFilter = z.output<typeof SyscallFilterSchema>;
export type SeccompRule = z.output<typeof SeccompRuleSchema>;
export type SeccompArg = z.output<typeof SeccompArgSchema>;
