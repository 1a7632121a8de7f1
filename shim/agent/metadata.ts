/**
 * The policy the seccomp compiler hands the agent, through runc: linux.seccomp.listenerMetadata
 * is a string that runc passes along with the seccomp fd as `metadata`. It is JSON:
 *   {"v":1,"profile":"NAME","sha256":"HEX","errno":1,"writable":["/output","/dev/null"]}
 * plus "execAllowed":["execve",...] when the profile allows exec calls and "writeGated":["openat",...]
 * for the opens readOnlyOpens gates, and "filterDenials":{"names":{"ptrace":[1,"blacklist[5]"]},
 * "default":[1,"defaultAction"],"agentCalls":["execve",...]} for the filter's own denials sent
 * here to be logged, and "audit":{"enforced":[...]} for a profile in audit mode (each written
 * only when not empty; an agent that predates them, whose schema is strict, refuses the
 * metadata and denies after the first exec: fail closed, audit included).
 * The agent trusts it no further than this schema: it arrives over the root-only socket from
 * runc, which copied it from the config.json the shim wrote.
 *
 * NOTE when changing this format also update profile/compile-profile.ts agentMetadata (which
 * emits it) and bump `v` if an older agent could misread the new shape.
 */
import { z } from 'zod';

/** A container path: absolute, no empty, `.` or `..` components, no trailing slash (except "/"). */
const containerPath = z
  .string()
  .max(4096)
  .refine((p) => p === '/' || (/^\/[^\0]*[^/]$/.test(p) && p.split('/').slice(1).every((c) => c !== '' && c !== '.' && c !== '..')), {
    message: 'must be a normalized absolute path (no "." / ".." / empty components, no trailing "/")',
  });

const syscallName = z.string().regex(/^[a-z0-9_]{1,40}$/, 'must be a system call name');
/**
 * [errno, profile field relative to spec.isolation.syscallFilter, e.g. "blacklist[3]"], and in
 * audit mode a third element when the filter's action is not an errno (kill, trap).
 */
const errnoValue = z.number().int().min(1).max(4095);
const ruleField = z.string().min(1).max(128);
const hex64 = z.string().regex(/^0x[0-9a-f]{1,16}$/, 'must be a 64-bit value in lower-case hex');
/** One comparison of a notified call's argument: [index, op, value, valueTwo] (seccomp/algebra.ts Atom). */
const serialAtom = z.tuple([z.number().int().min(0).max(5), z.enum(['NE', 'LT', 'LE', 'EQ', 'GE', 'GT', 'MASKED_EQ']), hex64, hex64]);
const denialRule = z.union([z.tuple([errnoValue, ruleField]), z.tuple([errnoValue, ruleField, z.enum(['kill-process', 'kill-thread', 'trap'])])]);

export const ListenerMetadataSchema = z.strictObject({
  /** Format version; only 1 exists. */
  v: z.literal(1),
  /** Profile name, for the denial log. */
  profile: z.string().min(1).max(256),
  /** sha256 of the profile as merged, for the denial log (which profile version denied). */
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits'),
  /** errno for denied calls (EPERM = 1 by default). */
  errno: z.number().int().min(1).max(4095).default(1),
  /** Paths (and everything below them) that may be opened for writing after the first execve. */
  writable: z.array(containerPath).max(256).default([]),
  /**
   * Exec calls the profile itself allows: the compiler sends every exec to the agent once any
   * call goes there (the exec-once invariant, shim/seccomp/compile.ts sendExecsToAgent), and
   * these the agent lets run after the first exec too. Absent: every exec after the first is denied.
   */
  execAllowed: z.array(z.enum(['execve', 'execveat'])).max(2).default([]),
  /**
   * Open calls whose write-class opens the agent decides by `writable` (the profile's
   * readOnlyOpens, shim/seccomp/compile.ts AgentFacts). Any other open the filter notifies is
   * one only runc's init may make. Absent: none (fail closed).
   */
  writeGated: z.array(z.enum(['open', 'openat', 'creat'])).max(3).default([]),
  /**
   * What the filter itself denies, sent here so that every denial is logged with its rule
   * (shim/seccomp/compile.ts sendDenialsToAgent). The agent answers these with their errno
   * before and after the first exec alike. Absent: the profile's filter denials stay in the
   * kernel (an older compiler), and every notified call follows the rules above.
   */
  filterDenials: z.lazy(() => FilterDenialsSchema).optional(),
  /**
   * Audit mode (the profile's syscallFilter.audit): every call the agent would deny, its own
   * rules and the filter's denials alike, is logged as "would deny" and allowed (CONTINUE).
   * `conditional`: calls the filter sends here whole, with the argument ranges it would deny
   * (a disjunction of conjunctions of [index, op, value, valueTwo]); only those are logged.
   * `enforced`: calls whose denials the compiler had to leave in the kernel (for the record;
   * the agent never sees them). Absent: enforce.
   */
  audit: z
    .strictObject({
      enforced: z.array(syscallName).max(512),
      conditional: z.record(syscallName, z.strictObject({ denied: z.array(z.array(serialAtom).max(16)).max(64), rule: denialRule })).refine((r) => Object.keys(r).length <= 64, 'at most 64 calls').optional(),
    })
    .optional(),
});

export const FilterDenialsSchema = z.strictObject({
  /** Call name -> [errno, field under spec.isolation.syscallFilter]. */
  names: z.record(syscallName, denialRule).refine((r) => Object.keys(r).length <= 512, 'at most 512 names'),
  /** Notified calls in neither list: the errno default and its field. */
  default: denialRule.optional(),
  /** Calls notified for the agent's own rules (runc's init, exec, write gating). */
  agentCalls: z.array(syscallName).max(512).default([]),
});

export type ListenerMetadata = z.output<typeof ListenerMetadataSchema>;
/** What a producer writes (errno and writable may be left out). */
export type ListenerMetadataInput = z.input<typeof ListenerMetadataSchema>;

export type MetadataResult = { ok: true; value: ListenerMetadata } | { ok: false; error: string };

/** Parses runc's `metadata` string. Never throws: the agent denies on a bad one. */
export function parseListenerMetadata(text: string | undefined): MetadataResult {
  if (text === undefined || text === '') return { ok: false, error: 'no listenerMetadata' };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `listenerMetadata is not JSON: ${(e as Error).message}` };
  }
  const r = ListenerMetadataSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    return { ok: false, error: `listenerMetadata.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, value: r.data };
}

/** The string to put in linux.seccomp.listenerMetadata (validated, stable key order). */
export function formatListenerMetadata(meta: ListenerMetadataInput): string {
  const m = ListenerMetadataSchema.parse(meta);
  return JSON.stringify({ v: m.v, profile: m.profile, sha256: m.sha256, errno: m.errno, writable: m.writable, ...(m.execAllowed.length > 0 ? { execAllowed: m.execAllowed } : {}), ...(m.writeGated.length > 0 ? { writeGated: m.writeGated } : {}), ...(m.filterDenials ? { filterDenials: m.filterDenials } : {}), ...(m.audit ? { audit: m.audit } : {}) });
}
