/**
 * What a denial means to a profile author: the arguments decoded where a profile can filter on
 * them (ioctl request, socket family, open flags, clone flags), and a one-line hint that names
 * the field to widen. Pure; the tables are seccomp/vocabulary.ts's, read backwards.
 *
 * NOTE when the compiler reports a new kind of field (compile.ts sendDenialsToAgent) add its
 * hint to RULE_HINTS and a row to test/unit/agent/explain.test.ts.
 */
import { AF, CLONE_FLAG_BITS, IOCTL_REQUESTS, OPEN_FLAG_BITS } from '../seccomp/vocabulary.js';
import { CALL_LAYOUTS } from './syscalls.js';

/** value -> first name in the table (AF_UNIX before AF_LOCAL). */
function byValue(table: Readonly<Record<string, number>>): Map<number, string> {
  const out = new Map<number, string>();
  for (const [name, v] of Object.entries(table)) if (!out.has(v)) out.set(v, name);
  return out;
}
const IOCTL_NAMES = byValue(IOCTL_REQUESTS);
const AF_NAMES = byValue(AF);
const SOCK_TYPES: Readonly<Record<number, string>> = { 1: 'SOCK_STREAM', 2: 'SOCK_DGRAM', 3: 'SOCK_RAW', 4: 'SOCK_RDM', 5: 'SOCK_SEQPACKET', 6: 'SOCK_DCCP', 10: 'SOCK_PACKET' };
const SOCK_TYPE_FLAGS: Readonly<Record<string, number>> = { SOCK_NONBLOCK: 0o4000, SOCK_CLOEXEC: 0o2000000 };
const ACCMODE = ['O_RDONLY', 'O_WRONLY', 'O_RDWR', 'O_ACCMODE'] as const;

const u32 = (v: bigint | undefined): number => Number(BigInt.asUintN(32, v ?? 0n));
const hex = (n: number | bigint): string => `0x${n.toString(16)}`;

/** Set bits by name, then what no name covers in hex: `A|B|0x4`. */
export function bitNames(value: number, table: Readonly<Record<string, number>>): string[] {
  const names: string[] = [];
  let rest = value >>> 0;
  for (const [name, bit] of Object.entries(table)) {
    if (bit !== 0 && (rest & bit) === bit) {
      names.push(name);
      rest = (rest & ~bit) >>> 0;
    }
  }
  if (rest !== 0) names.push(hex(rest));
  return names;
}

export function ioctlRequestName(request: number): string | undefined {
  return IOCTL_NAMES.get(request >>> 0);
}

export function socketFamilyName(family: number): string | undefined {
  return AF_NAMES.get(family);
}

/** `O_WRONLY|O_CREAT|O_CLOEXEC` */
export function openFlagsText(flags: number): string {
  return [ACCMODE[flags & 3], ...bitNames(flags & ~3, OPEN_FLAG_BITS)].join('|');
}

/** `CLONE_VM|...|CLONE_THREAD`, then the exit signal when there is one (`SIGCHLD` is 17). */
export function cloneFlagsText(flags: number): string {
  const signal = flags & 0xff;
  const names = bitNames(flags & ~0xff, CLONE_FLAG_BITS);
  if (signal !== 0) names.push(signal === 17 ? 'SIGCHLD' : `signal ${signal}`);
  return names.length > 0 ? names.join('|') : '0';
}

/** `AF_INET SOCK_STREAM|SOCK_CLOEXEC` */
function socketText(args: readonly bigint[]): string {
  const family = u32(args[0]);
  const type = u32(args[1]);
  const typeName = SOCK_TYPES[type & 0xf] ?? hex(type & 0xf);
  return `family=${socketFamilyName(family) ?? family} type=${[typeName, ...bitNames(type & ~0xf, SOCK_TYPE_FLAGS)].join('|')}`;
}

/**
 * The arguments of a call, decoded where a profile can filter on them; the first three
 * registers in hex otherwise. Paths are read from the task's memory by the responder, not here.
 */
export function decodeArgs(syscall: string, args: readonly bigint[]): string {
  switch (syscall) {
    case 'ioctl': {
      const req = u32(args[1]);
      return `fd=${u32(args[0])} request=${ioctlRequestName(req) ?? hex(req)}`;
    }
    case 'socket':
    case 'socketpair':
      return socketText(args);
    case 'clone':
      return `flags=${cloneFlagsText(u32(args[0]))}`;
    case 'unshare':
      return `flags=${cloneFlagsText(u32(args[0]) & ~0xff)}`;
    case 'open':
    case 'openat': {
      const layout = CALL_LAYOUTS[syscall];
      const flags = layout?.kind === 'open' && layout.flagsArg !== undefined ? u32(args[layout.flagsArg]) : 0;
      return `flags=${openFlagsText(flags)}`;
    }
    default:
      return args.slice(0, 3).map((a) => hex(BigInt.asUintN(64, a))).join(' ');
  }
}

/** What a hint needs: the denied call, its decoded arguments, the rule and the profile file. */
export interface HintInput {
  syscall: string;
  /** The field that denied it, relative to spec.isolation.syscallFilter (filter denials), if known. */
  rule?: string;
  /** The agent's reason (its own denials). */
  reason: string;
  /** decodeArgs' text (and the path, for exec and open calls). */
  args: string;
  /** The profile's file, else its name. */
  profile: string;
}

const FILTER = 'spec.isolation.syscallFilter';

/** The one argument value a widening names (`TIOCSTI`, `AF_INET`), from decodeArgs' text. */
function argValue(args: string, key: string): string | undefined {
  return new RegExp(`(?:^| )${key}=(\\S+)`).exec(args)?.[1];
}

function ioctlHint(h: HintInput): string {
  const req = argValue(h.args, 'request') ?? 'the request';
  const value = req.startsWith('0x') ? req : IOCTL_REQUESTS[req] !== undefined ? hex(IOCTL_REQUESTS[req] as number) : req;
  return `to allow ioctl ${req}: add { names: [ioctl], action: allow, args: [{ index: 1, op: SCMP_CMP_EQ, value: ${value} }] } to ${FILTER}.rules in ${h.profile}${h.rule?.startsWith('rules[') ? ` (and check ${FILTER}.${h.rule.replace(/\.names\[\d+\]$/, '')} does not deny it)` : ''}`;
}

/** One hint per kind of field; the first matching wins. */
const RULE_HINTS: ReadonlyArray<{ when: (h: HintInput) => boolean; hint: (h: HintInput) => string }> = [
  { when: (h) => h.syscall === 'ioctl' && h.rule !== undefined, hint: ioctlHint },
  {
    when: (h) => h.rule === 'socketFamilies',
    hint: (h) => `add ${argValue(h.args, 'family') ?? 'the family'} to ${FILTER}.socketFamilies in ${h.profile}`,
  },
  {
    when: (h) => (h.syscall === 'socket' || h.syscall === 'socketpair') && h.rule === 'defaultAction',
    hint: (h) => `add ${h.syscall} to ${FILTER}.whitelist in ${h.profile} and limit it with socketFamilies: [${argValue(h.args, 'family') ?? 'AF_...'}]`,
  },
  { when: (h) => h.rule === 'readOnlyOpens', hint: (h) => `${FILTER}.readOnlyOpens denies ${h.syscall} (it changes the filesystem); write below a spec.filesystem.writablePaths entry of ${h.profile} instead, or turn readOnlyOpens off` },
  {
    when: (h) => h.rule?.startsWith('blacklist[') === true && ['clone', 'fork', 'vfork', 'clone3'].includes(h.syscall),
    hint: (h) => `${FILTER}.${h.rule} (clone) denies new processes but keeps threads; remove clone from the blacklist of ${h.profile} to allow ${h.syscall}`,
  },
  { when: (h) => h.rule?.startsWith('blacklist[') === true, hint: (h) => `remove ${h.syscall} from ${FILTER}.blacklist (${h.rule}) in ${h.profile}` },
  { when: (h) => h.rule?.startsWith('rules[') === true, hint: (h) => `${FILTER}.${h.rule?.replace(/\.names\[\d+\]$/, '')} denies ${h.syscall} with these arguments; change that rule in ${h.profile}` },
  { when: (h) => h.rule === 'defaultAction', hint: (h) => `${h.syscall} is in no list (${FILTER}.defaultAction): add it to ${FILTER}.whitelist in ${h.profile}, or a rules entry with the arguments it may take` },
  { when: (h) => h.rule !== undefined, hint: (h) => `${FILTER}.${h.rule} denies ${h.syscall}: widen it in ${h.profile}` },
  // The agent's own rules.
  {
    when: (h) => h.syscall === 'execve' || h.syscall === 'execveat',
    hint: (h) => `the profile allows one exec (the entrypoint): remove ${h.syscall} from ${FILTER}.blacklist in ${h.profile} and add it to the whitelist (exec-once is then off for it)`,
  },
  { when: (h) => h.reason.startsWith('write-open'), hint: (h) => `add the path (or a directory above it) to spec.filesystem.writablePaths in ${h.profile}, or bind a writable directory there (allowedBindMounts)` },
  { when: (h) => h.reason.startsWith('only allowed before the first execve'), hint: (h) => `the filter sends ${h.syscall} to the agent only for runc's init; add it to ${FILTER}.whitelist in ${h.profile}` },
];

/** The one-line hint for widening the profile, or undefined when there is nothing to widen. */
export function widenHint(h: HintInput): string | undefined {
  return RULE_HINTS.find((r) => r.when(h))?.hint(h);
}

/** Where a denial came from, for the reader: `spec.isolation.syscallFilter.blacklist[3]`. */
export function ruleField(rule: string | undefined): string | undefined {
  return rule === undefined ? undefined : `${FILTER}.${rule}`;
}
