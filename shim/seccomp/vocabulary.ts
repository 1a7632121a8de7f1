/**
 * The seccomp vocabulary as lookup tables: action words, their strictness, architecture names,
 * comparison operators, errno and address-family numbers, open/clone flag bits and where each
 * syscall keeps the argument a profile is allowed to filter on. Pure data, no logic beyond lookups.
 */
import { TABLE_ARCHES, type TableArch } from './syscall-table.js';

// ---------------------------------------------------------------------------------------------
// Actions

/**
 * Canonical action kinds. The numbers are the kernel's precedence between stacked filters
 * (include/uapi/linux/seccomp.h: KILL_PROCESS > KILL_THREAD > TRAP > ERRNO > USER_NOTIF > TRACE >
 * LOG > ALLOW); we use the same order wherever two policies must be combined into the stricter.
 */
export const ACTION_RANK = {
  allow: 0,
  log: 1,
  trace: 2,
  notify: 3,
  errno: 4,
  trap: 5,
  'kill-thread': 6,
  'kill-process': 7,
} as const;
export type ActionKind = keyof typeof ACTION_RANK;

/** The OCI (runc) spelling we emit for each kind. runc 1.1.5 knows all of these. */
export const OCI_ACTION: Record<ActionKind, string> = {
  allow: 'SCMP_ACT_ALLOW',
  log: 'SCMP_ACT_LOG',
  trace: 'SCMP_ACT_TRACE',
  notify: 'SCMP_ACT_NOTIFY',
  errno: 'SCMP_ACT_ERRNO',
  trap: 'SCMP_ACT_TRAP',
  'kill-thread': 'SCMP_ACT_KILL_THREAD',
  'kill-process': 'SCMP_ACT_KILL_PROCESS',
};

/**
 * Every action word a profile or an imported JSON may use -> kind.
 * `SCMP_ACT_KILL` is libseccomp's historical name for kill-THREAD; a profile's plain `kill` means
 * what its author expects, the whole process.
 */
const ACTION_WORD_KINDS = {
  allow: 'allow',
  errno: 'errno',
  kill: 'kill-process',
  'kill-process': 'kill-process',
  'kill-thread': 'kill-thread',
  trap: 'trap',
  log: 'log',
  notify: 'notify',
  trace: 'trace',
  SCMP_ACT_ALLOW: 'allow',
  SCMP_ACT_ERRNO: 'errno',
  SCMP_ACT_KILL: 'kill-thread',
  SCMP_ACT_KILL_PROCESS: 'kill-process',
  SCMP_ACT_KILL_THREAD: 'kill-thread',
  SCMP_ACT_TRAP: 'trap',
  SCMP_ACT_LOG: 'log',
  SCMP_ACT_NOTIFY: 'notify',
  SCMP_ACT_TRACE: 'trace',
} as const satisfies Record<string, ActionKind>;
type ActionWord = keyof typeof ACTION_WORD_KINDS;

export const ACTION_WORDS: Readonly<Record<string, ActionKind>> = ACTION_WORD_KINDS;

/**
 * The words a profile's syscallFilter may use (seccomp/schema.ts): all but the trace ones.
 * SCMP_ACT_TRACE hands the call to whatever ptrace tracer the task has and fails it ENOSYS
 * without one, which is no policy a profile should express; an imported JSON may still carry
 * it and is read the way runc would.
 */
export type ProfileActionWord = { [W in ActionWord]: (typeof ACTION_WORD_KINDS)[W] extends 'trace' ? never : W }[ActionWord];
export const PROFILE_ACTION_WORDS = (Object.keys(ACTION_WORD_KINDS) as ActionWord[]).filter((w): w is ProfileActionWord => ACTION_WORD_KINDS[w] !== 'trace');

/** Kinds that carry a return value (errnoRet in OCI). runc's default for both is EPERM. */
export const ACTION_TAKES_ERRNO: Readonly<Record<ActionKind, boolean>> = {
  allow: false,
  log: false,
  trace: true,
  notify: false,
  errno: true,
  trap: false,
  'kill-thread': false,
  'kill-process': false,
};

/** What runc 1.1.5 does with a syscall from an architecture the filter does not list (libseccomp's default bad-arch action). */
export const BAD_ARCH_ACTION: ActionKind = 'kill-thread';

// ---------------------------------------------------------------------------------------------
// Architectures

/**
 * SCMP_ARCH_* (OCI) <-> scmp_sys_resolver name (our syscall table's columns) <-> Go/Docker
 * names (Docker's default.json `includes.arches`) and Node's process.arch.
 * The syscall table's columns are these resolver names (scripts/gen-syscall-table.mjs reads them
 * from this file): after adding an arch, `npm run gen:syscalls`.
 */
export interface ArchInfo {
  scmp: string;
  resolver: TableArch;
  goArch: string;
  nodeArch?: string;
  /** 32-bit ABIs whose socket calls go through socketcall(2), whose arguments seccomp cannot read. */
  socketcall: boolean;
}

export const ARCHES: readonly ArchInfo[] = [
  { scmp: 'SCMP_ARCH_X86_64', resolver: 'x86_64', goArch: 'amd64', nodeArch: 'x64', socketcall: false },
  { scmp: 'SCMP_ARCH_X86', resolver: 'x86', goArch: '386', nodeArch: 'ia32', socketcall: true },
  { scmp: 'SCMP_ARCH_X32', resolver: 'x32', goArch: 'x32', socketcall: false },
  { scmp: 'SCMP_ARCH_AARCH64', resolver: 'aarch64', goArch: 'arm64', nodeArch: 'arm64', socketcall: false },
  { scmp: 'SCMP_ARCH_ARM', resolver: 'arm', goArch: 'arm', nodeArch: 'arm', socketcall: false },
  { scmp: 'SCMP_ARCH_RISCV64', resolver: 'riscv64', goArch: 'riscv64', nodeArch: 'riscv64', socketcall: false },
  { scmp: 'SCMP_ARCH_PPC64LE', resolver: 'ppc64le', goArch: 'ppc64le', nodeArch: 'ppc64', socketcall: true },
  { scmp: 'SCMP_ARCH_S390X', resolver: 's390x', goArch: 's390x', nodeArch: 's390x', socketcall: true },
];

export const ARCH_BY_SCMP: Readonly<Record<string, ArchInfo>> = Object.fromEntries(ARCHES.map((a) => [a.scmp, a]));
/** Docker's default.json names arches by Go name, and sometimes by SCMP-less names (x86, x32, arm64, s390). */
export const ARCH_BY_GO: Readonly<Record<string, ArchInfo>> = Object.fromEntries(
  ARCHES.flatMap((a) => [
    [a.goArch, a],
    [a.resolver, a],
  ]),
);

/** The SCMP_ARCH_* name of the machine we run on (the only ABI a filter allows by default). */
export function nativeScmpArch(nodeArch: string = process.arch): string {
  const a = ARCHES.find((x) => x.nodeArch === nodeArch);
  if (!a) throw new Error(`no seccomp architecture known for process.arch ${nodeArch}`);
  return a.scmp;
}

// Keep the table and this file in step (a test asserts it too).
for (const a of ARCHES) if (!TABLE_ARCHES.includes(a.resolver)) throw new Error(`arch ${a.resolver} missing from syscall-table.ts`);

// ---------------------------------------------------------------------------------------------
// Comparisons

export const CMP_OPS = ['EQ', 'NE', 'LT', 'LE', 'GT', 'GE', 'MASKED_EQ'] as const;
export type CmpOp = (typeof CMP_OPS)[number];
/** The OCI spelling of each comparison, in CMP_OPS order. */
export const OCI_CMP_WORDS = CMP_OPS.map((o) => `SCMP_CMP_${o}` as const);
export const CMP_BY_OCI: Readonly<Record<string, CmpOp>> = Object.fromEntries(CMP_OPS.map((o) => [`SCMP_CMP_${o}`, o]));
export const OCI_CMP: Readonly<Record<CmpOp, string>> = Object.fromEntries(CMP_OPS.map((o) => [o, `SCMP_CMP_${o}`])) as Record<CmpOp, string>;

export const U64_MAX = 0xffffffffffffffffn;
export const U32_MASK = 0xffffffffn;

// ---------------------------------------------------------------------------------------------
// errno and address families (x86_64/aarch64 generic values)

export const ERRNO: Readonly<Record<string, number>> = {
  EPERM: 1, ENOENT: 2, ESRCH: 3, EINTR: 4, EIO: 5, ENXIO: 6, E2BIG: 7, ENOEXEC: 8, EBADF: 9,
  ECHILD: 10, EAGAIN: 11, ENOMEM: 12, EACCES: 13, EFAULT: 14, EBUSY: 16, EEXIST: 17, EXDEV: 18,
  ENODEV: 19, ENOTDIR: 20, EISDIR: 21, EINVAL: 22, ENFILE: 23, EMFILE: 24, ENOTTY: 25, ETXTBSY: 26,
  EFBIG: 27, ENOSPC: 28, ESPIPE: 29, EROFS: 30, EMLINK: 31, EPIPE: 32, ENOSYS: 38, ENOTSUP: 95,
  EOPNOTSUPP: 95, EAFNOSUPPORT: 97, EPROTONOSUPPORT: 93, ENOTSOCK: 88, ECONNREFUSED: 111,
  ENETUNREACH: 101, EADDRNOTAVAIL: 99,
};

export const AF: Readonly<Record<string, number>> = {
  AF_UNSPEC: 0, AF_UNIX: 1, AF_LOCAL: 1, AF_INET: 2, AF_AX25: 3, AF_IPX: 4, AF_APPLETALK: 5,
  AF_NETROM: 6, AF_BRIDGE: 7, AF_ATMPVC: 8, AF_X25: 9, AF_INET6: 10, AF_ROSE: 11, AF_DECnet: 12,
  AF_NETBEUI: 13, AF_SECURITY: 14, AF_KEY: 15, AF_NETLINK: 16, AF_PACKET: 17, AF_ASH: 18,
  AF_ECONET: 19, AF_ATMSVC: 20, AF_RDS: 21, AF_SNA: 22, AF_IRDA: 23, AF_PPPOX: 24, AF_WANPIPE: 25,
  AF_LLC: 26, AF_IB: 27, AF_MPLS: 28, AF_CAN: 29, AF_TIPC: 30, AF_BLUETOOTH: 31, AF_IUCV: 32,
  AF_RXRPC: 33, AF_ISDN: 34, AF_PHONET: 35, AF_IEEE802154: 36, AF_CAIF: 37, AF_ALG: 38,
  AF_NFC: 39, AF_VSOCK: 40, AF_KCM: 41, AF_QIPCRTR: 42, AF_SMC: 43, AF_XDP: 44, AF_MCTP: 45,
};

// ---------------------------------------------------------------------------------------------
// open(2) flags (x86_64 / asm-generic values)

export const O_FLAGS = {
  O_RDONLY: 0x0n,
  O_WRONLY: 0x1n,
  O_RDWR: 0x2n,
  O_CREAT: 0x40n,
  O_TRUNC: 0x200n,
  O_DIRECTORY: 0x10000n,
  O_CLOEXEC: 0x80000n,
  /** The kernel's own bit. glibc's O_TMPFILE is __O_TMPFILE|O_DIRECTORY = 0x410000: masking with that would catch every directory open. */
  __O_TMPFILE: 0x400000n,
} as const;

/** The bits that make an open write-class, one by one (seccomp cannot say "!= 0", so a deny is one rule per bit). */
export const WRITE_OPEN_BITS: readonly bigint[] = [O_FLAGS.O_WRONLY, O_FLAGS.O_RDWR, O_FLAGS.O_CREAT, O_FLAGS.O_TRUNC, O_FLAGS.__O_TMPFILE];
/** O_ACCMODE|O_CREAT|O_TRUNC|__O_TMPFILE: an open is read-only iff (flags & this) == 0. */
export const WRITE_OPEN_MASK = WRITE_OPEN_BITS.reduce((a, b) => a | b, 0n); // 0x400243

/**
 * What `readOnlyOpens` denies besides write-class opens: every other call that changes the
 * filesystem without a file descriptor opened for writing (which the agent gated already).
 * Decided per call (docs/profile-reference.md, "What readOnlyOpens covers"):
 *  - denied (EROFS): calls that create, remove or rename a name (a device node or FIFO through
 *    mknod, a directory, a hard or symbolic link, a rename over a file), cut a file by path
 *    (truncate), or write extended attributes. fsetxattr/fremovexattr are here too: they need
 *    only inode permission, not a writable fd, so a read-only fd is enough to use them.
 *  - denied only with set-id bits (CHMOD_MODE_ARG): chmod of files the task owns.
 *  - left alone, and why: ftruncate/fallocate/write/pwrite/copy_file_range/sendfile/splice and
 *    shared writable mmap (need an fd open for writing); utime* (timestamps, no content);
 *    chown* (no CAP_CHOWN: only the group of an owned file, to a group the task is in, and it
 *    clears set-id bits); bind of an AF_UNIX path (the socket IPC the profiles exist for;
 *    the inode holds no data).
 * docs/profile-reference.md lists them (test/unit/profile/reference-doc.test.ts checks the table
 * against the compiled filter).
 */
export const PATH_MUTATING_CALLS: readonly string[] = [
  'mknod', 'mknodat', 'mkdir', 'mkdirat', 'rmdir', 'unlink', 'unlinkat',
  'link', 'linkat', 'symlink', 'symlinkat', 'rename', 'renameat', 'renameat2',
  'truncate',
  'setxattr', 'lsetxattr', 'fsetxattr', 'removexattr', 'lremovexattr', 'fremovexattr',
];

/**
 * Calls that open and write files where seccomp never sees them (io_uring's IORING_OP_OPENAT,
 * WRITE, RENAMEAT, ... run in the kernel): readOnlyOpens answers them ENOSYS, so libraries fall
 * back to plain system calls, which the filter does see.
 */
export const UNSEEN_IO_CALLS: readonly string[] = ['io_uring_setup', 'io_uring_enter', 'io_uring_register'];

/** S_ISUID|S_ISGID: the mode bits readOnlyOpens never lets chmod set. */
export const SET_ID_BITS = 0o6000n;
/** Where each chmod call keeps its mode (umode_t: the kernel reads the low 16 bits, which hold the set-id bits). */
export const CHMOD_MODE_ARG: Readonly<Record<string, number>> = { chmod: 1, fchmod: 1, fchmodat: 2, fchmodat2: 2 };

// ---------------------------------------------------------------------------------------------
// clone(2) flags

export const CLONE_THREAD = 0x10000n;
/** CLONE_NEWNS|CLONE_NEWCGROUP|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWUSER|CLONE_NEWPID|CLONE_NEWNET = Docker's check. */
export const CLONE_NEW_MASK = 0x7e020000n;
/** Threads yes, processes no: (flags & CLONE_NEW_MASK|CLONE_THREAD) == CLONE_THREAD. */
export const CLONE_THREADS_ONLY = { mask: CLONE_NEW_MASK | CLONE_THREAD, value: CLONE_THREAD } as const; // 0x7E030000 / 0x10000

// ---------------------------------------------------------------------------------------------
// Argument layout. Indexes are x86_64/aarch64 (our native targets); per-arch exceptions below.

/** Where each syscall keeps the flags (or family) argument a profile filters on. creat and openat2 have none a filter can read. */
export const FLAGS_ARG_INDEX: Readonly<Record<string, number>> = {
  open: 1,
  openat: 2,
  open_by_handle_at: 2,
  clone: 0,
  socket: 0,
  socketpair: 0,
  unshare: 0,
  personality: 0,
};

/** Architectures whose clone takes (stack, flags, ...): Docker's default.json says the same for s390. */
export const CLONE_FLAGS_INDEX_BY_ARCH: Readonly<Record<string, number>> = { SCMP_ARCH_S390X: 1 };

/**
 * Arguments that are pointers: a comparison on them tests an address, never the string or struct
 * behind it (the classic mistake is openat index 1, the path, taken for the flags).
 */
export const POINTER_ARGS: Readonly<Record<string, readonly number[]>> = {
  open: [0],
  openat: [1],
  openat2: [1, 2],
  creat: [0],
  execve: [0, 1, 2],
  execveat: [1, 2, 3],
  clone3: [0],
  stat: [0, 1],
  lstat: [0, 1],
  newfstatat: [1, 2],
  access: [0],
  faccessat: [1],
  faccessat2: [1],
  mount: [0, 1, 2, 4],
  connect: [1],
  bind: [1],
  read: [1],
  write: [1],
  unlink: [0],
  unlinkat: [1],
  mkdir: [0],
  mkdirat: [1],
  rename: [0, 1],
  renameat: [1, 3],
  renameat2: [1, 3],
  chmod: [0],
  chown: [0],
  truncate: [0],
};

/**
 * Arguments the kernel reads as a 32-bit int: it ignores the upper half of the register, but
 * seccomp compares all 64 bits. A deny on "arg == X" is dodged by X | 1<<32 unless the compare
 * is masked to the low 32 bits.
 */
export const INT_ARGS: Readonly<Record<string, readonly number[]>> = {
  open: [1, 2],
  openat: [0, 2, 3],
  creat: [1],
  socket: [0, 1, 2],
  socketpair: [0, 1, 2],
  ioctl: [0, 1],
  fcntl: [0, 1],
  kill: [0, 1],
  tgkill: [0, 1, 2],
  tkill: [0, 1],
  prctl: [0],
  personality: [0],
  setsockopt: [0, 1, 2],
  getsockopt: [0, 1, 2],
  unshare: [0],
  setns: [0, 1],
  ptrace: [0],
  keyctl: [0],
  mprotect: [2],
  mmap: [2, 3, 4],
  dup2: [0, 1],
  dup3: [0, 1, 2],
  flock: [0, 1],
  chmod: [1],
  fchmod: [0, 1],
  fchmodat: [0, 2, 3],
  seccomp: [0, 1],
  bpf: [0],
  perf_event_open: [1, 2, 3],
};

// ---------------------------------------------------------------------------------------------
// Names for the denial log (x86_64 / asm-generic values): what `openclaw-runtime denials` shows
// for an argument, and what a hint tells the author to add. Decoding only: the compiler's
// tables above stay the source of what a filter compares.

/** ioctl requests (TTY and generic fd requests; device-specific ones print as hex). */
export const IOCTL_REQUESTS: Readonly<Record<string, number>> = {
  TCGETS: 0x5401, TCSETS: 0x5402, TCSETSW: 0x5403, TCSETSF: 0x5404, TCGETA: 0x5405, TCSETA: 0x5406,
  TCSETAW: 0x5407, TCSETAF: 0x5408, TCSBRK: 0x5409, TCXONC: 0x540a, TCFLSH: 0x540b,
  TIOCEXCL: 0x540c, TIOCNXCL: 0x540d, TIOCSCTTY: 0x540e, TIOCGPGRP: 0x540f, TIOCSPGRP: 0x5410,
  TIOCOUTQ: 0x5411, TIOCSTI: 0x5412, TIOCGWINSZ: 0x5413, TIOCSWINSZ: 0x5414, TIOCMGET: 0x5415,
  TIOCMBIS: 0x5416, TIOCMBIC: 0x5417, TIOCMSET: 0x5418, TIOCGSOFTCAR: 0x5419, TIOCSSOFTCAR: 0x541a,
  FIONREAD: 0x541b, TIOCLINUX: 0x541c, TIOCCONS: 0x541d, TIOCGSERIAL: 0x541e, TIOCSSERIAL: 0x541f,
  TIOCPKT: 0x5420, FIONBIO: 0x5421, TIOCNOTTY: 0x5422, TIOCSETD: 0x5423, TIOCGETD: 0x5424,
  TIOCSBRK: 0x5427, TIOCCBRK: 0x5428, TIOCGSID: 0x5429, TIOCGPTN: 0x80045430, TIOCSPTLCK: 0x40045431,
  TIOCGPTPEER: 0x5441, FIONCLEX: 0x5450, FIOCLEX: 0x5451, FIOASYNC: 0x5452, FIOQSIZE: 0x5460,
  FICLONE: 0x40049409, FIFREEZE: 0xc0045877, FITHAW: 0xc0045878, FS_IOC_GETFLAGS: 0x80086601,
  FS_IOC_SETFLAGS: 0x40086602, SIOCGIFCONF: 0x8912, SIOCGIFFLAGS: 0x8913, SIOCSIFFLAGS: 0x8914,
  SIOCGIFADDR: 0x8915, SIOCGIFINDEX: 0x8933,
};

/** open(2) flags by name, every bit (O_ACCMODE's values are decoded apart: O_RDONLY is 0). */
export const OPEN_FLAG_BITS: Readonly<Record<string, number>> = {
  O_CREAT: 0o100, O_EXCL: 0o200, O_NOCTTY: 0o400, O_TRUNC: 0o1000, O_APPEND: 0o2000,
  O_NONBLOCK: 0o4000, O_DSYNC: 0o10000, O_ASYNC: 0o20000, O_DIRECT: 0o40000, O_LARGEFILE: 0o100000,
  O_DIRECTORY: 0o200000, O_NOFOLLOW: 0o400000, O_NOATIME: 0o1000000, O_CLOEXEC: 0o2000000,
  __O_SYNC: 0o4000000, O_PATH: 0o10000000, __O_TMPFILE: 0o20000000,
};

/** clone(2) flags by name (the low byte is the exit signal). */
export const CLONE_FLAG_BITS: Readonly<Record<string, number>> = {
  CLONE_VM: 0x100, CLONE_FS: 0x200, CLONE_FILES: 0x400, CLONE_SIGHAND: 0x800, CLONE_PIDFD: 0x1000,
  CLONE_PTRACE: 0x2000, CLONE_VFORK: 0x4000, CLONE_PARENT: 0x8000, CLONE_THREAD: 0x10000,
  CLONE_NEWNS: 0x20000, CLONE_SYSVSEM: 0x40000, CLONE_SETTLS: 0x80000, CLONE_PARENT_SETTID: 0x100000,
  CLONE_CHILD_CLEARTID: 0x200000, CLONE_DETACHED: 0x400000, CLONE_UNTRACED: 0x800000,
  CLONE_CHILD_SETTID: 0x1000000, CLONE_NEWCGROUP: 0x2000000, CLONE_NEWUTS: 0x4000000,
  CLONE_NEWIPC: 0x8000000, CLONE_NEWUSER: 0x10000000, CLONE_NEWPID: 0x20000000,
  CLONE_NEWNET: 0x40000000, CLONE_IO: 0x80000000,
};
