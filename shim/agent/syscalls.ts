/**
 * The system calls the agent reasons about, per architecture, as lookup tables: the argument
 * layout of each call it decides on, and names for the denial log. Numbers from
 * scmp_sys_resolver (libseccomp 2.5.4).
 *
 * NOTE when the seccomp compiler starts notifying another call that needs more than
 * "allowed before the first execve, denied after", add its layout to CALL_LAYOUTS and a row
 * to test/unit/agent/decide.test.ts.
 */

/** AUDIT_ARCH_* values as seccomp_data.arch carries them. */
export const AUDIT_ARCH = {
  x86_64: 0xc000003e,
  aarch64: 0xc00000b7,
} as const;

export type ArchName = keyof typeof AUDIT_ARCH;

/** What the agent needs to know about a call: which argument is what. */
export type CallLayout =
  | { kind: 'exec'; pathArg: number; dirfdArg?: number }
  /** flagsArg undefined: fixed flags (creat = O_CREAT|O_WRONLY|O_TRUNC). */
  | { kind: 'open'; pathArg: number; dirfdArg?: number; flagsArg?: number; fixedFlags?: number; modeArg: number };

export const CALL_LAYOUTS: Record<string, CallLayout> = {
  execve: { kind: 'exec', pathArg: 0 },
  execveat: { kind: 'exec', pathArg: 1, dirfdArg: 0 },
  open: { kind: 'open', pathArg: 0, flagsArg: 1, modeArg: 2 },
  openat: { kind: 'open', pathArg: 1, dirfdArg: 0, flagsArg: 2, modeArg: 3 },
  // O_CREAT|O_WRONLY|O_TRUNC
  creat: { kind: 'open', pathArg: 0, fixedFlags: 0o1101, modeArg: 1 },
};

/** Syscall numbers by name, per architecture (a subset: the calls runc's init and the agent care about). */
const NUMBERS: Record<ArchName, Record<string, number>> = {
  x86_64: {
    read: 0, write: 1, open: 2, close: 3, fstat: 5, nanosleep: 35, getpid: 39, socket: 41, connect: 42,
    clone: 56, execve: 59, fcntl: 72, chdir: 80, fchdir: 81, creat: 85, fchown: 93, setuid: 105,
    setgid: 106, getppid: 110, setgroups: 116, capget: 125, capset: 126, fstatfs: 138, pivot_root: 155,
    prctl: 157, mount: 165, umount2: 166, sethostname: 170, futex: 202, getdents64: 217, epoll_ctl: 233,
    keyctl: 250, openat: 257, mkdirat: 258, newfstatat: 262, unlinkat: 263, unshare: 272, epoll_pwait: 281,
    setns: 308, execveat: 322, clone3: 435, openat2: 437, sched_yield: 24,
  },
  aarch64: {
    mkdirat: 34, unlinkat: 35, umount2: 39, mount: 40, pivot_root: 41, fstatfs: 44, chdir: 49, fchdir: 50,
    fchown: 55, openat: 56, close: 57, getdents64: 61, read: 63, write: 64, newfstatat: 79, fstat: 80,
    capget: 90, capset: 91, unshare: 97, futex: 98, nanosleep: 101, sched_yield: 124, setgid: 144,
    setuid: 146, setgroups: 159, sethostname: 161, prctl: 167, getpid: 172, getppid: 173, socket: 198,
    connect: 203, keyctl: 219, clone: 220, execve: 221, setns: 268, execveat: 281, clone3: 435, openat2: 437,
    epoll_ctl: 21, epoll_pwait: 22, fcntl: 25,
  },
};

const NAMES: Record<number, Record<number, string>> = Object.fromEntries(
  (Object.keys(NUMBERS) as ArchName[]).map((arch) => [
    AUDIT_ARCH[arch],
    Object.fromEntries(Object.entries(NUMBERS[arch]).map(([name, nr]) => [nr, name])),
  ]),
);

/** The call's name, or undefined for an architecture or number not in the table. */
export function syscallName(arch: number, nr: number): string | undefined {
  return NAMES[arch]?.[nr];
}

/** For logs: the name, else `nr:N`. */
export function syscallLabel(arch: number, nr: number): string {
  return syscallName(arch, nr) ?? `nr:${nr}`;
}

export function archLabel(arch: number): string {
  const hit = (Object.keys(AUDIT_ARCH) as ArchName[]).find((a) => AUDIT_ARCH[a] === arch);
  return hit ?? `0x${arch.toString(16)}`;
}

/** open(2) flag bits (the same values on x86_64 and aarch64). */
export const OPEN_FLAGS = {
  O_ACCMODE: 0o3,
  O_CREAT: 0o100,
  O_TRUNC: 0o1000,
  O_CLOEXEC: 0o2000000,
  /** __O_TMPFILE without O_DIRECTORY: glibc's O_TMPFILE includes O_DIRECTORY, which plain directory opens carry too. */
  __O_TMPFILE: 0o20000000,
} as const;

/** The bits that make an open write-class: write access, create, truncate, tmpfile. */
export const WRITE_CLASS_MASK = OPEN_FLAGS.O_ACCMODE | OPEN_FLAGS.O_CREAT | OPEN_FLAGS.O_TRUNC | OPEN_FLAGS.__O_TMPFILE;
