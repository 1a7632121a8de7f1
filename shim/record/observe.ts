/**
 * One notification of a recording run -> one CallRecord: the call, whether runc's init or the
 * workload made it, and the arguments a profile can act on, decoded: the path of path-taking
 * calls (read from the task's memory as the agent reads it, shim/agent/proc.ts, made absolute
 * with the task's cwd or dirfd), open flags, socket family and type, clone flags (clone3's
 * from its struct), the ioctl request.
 * Reading memory races with the task; for a recording that is harmless (nothing is decided on
 * it): a path that changed between our read and the kernel's is at worst recorded wrongly.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { posix } from 'node:path';
import { sameImage, type TaskImage } from '../agent/decide.js';
import { AT_FDCWD, binaryForDisplay, readBaseDir, readCString } from '../agent/proc.js';

/** Where each recorded path-taking call keeps its path (and the dirfd it is relative to). */
export const PATH_CALLS: Readonly<Record<string, { pathArg: number; dirfdArg?: number }>> = {
  open: { pathArg: 0 }, creat: { pathArg: 0 }, openat: { pathArg: 1, dirfdArg: 0 }, openat2: { pathArg: 1, dirfdArg: 0 },
  execve: { pathArg: 0 }, execveat: { pathArg: 1, dirfdArg: 0 },
  stat: { pathArg: 0 }, lstat: { pathArg: 0 }, newfstatat: { pathArg: 1, dirfdArg: 0 }, statx: { pathArg: 1, dirfdArg: 0 },
  access: { pathArg: 0 }, faccessat: { pathArg: 1, dirfdArg: 0 }, faccessat2: { pathArg: 1, dirfdArg: 0 },
  readlink: { pathArg: 0 }, readlinkat: { pathArg: 1, dirfdArg: 0 }, chdir: { pathArg: 0 },
  mkdir: { pathArg: 0 }, mkdirat: { pathArg: 1, dirfdArg: 0 }, rmdir: { pathArg: 0 },
  unlink: { pathArg: 0 }, unlinkat: { pathArg: 1, dirfdArg: 0 }, rename: { pathArg: 0 }, renameat: { pathArg: 1, dirfdArg: 0 }, renameat2: { pathArg: 1, dirfdArg: 0 },
  truncate: { pathArg: 0 }, chmod: { pathArg: 0 }, fchmodat: { pathArg: 1, dirfdArg: 0 }, statfs: { pathArg: 0 },
};

export type Phase = 'init' | 'workload';

/** What a recording keeps of one call. Counted, not listed: equal records add up. */
export interface CallRecord {
  syscall: string;
  phase: Phase;
  /** Absolute container path (or as the task gave it when no base could be read). */
  path?: string;
  /** open/openat flags, creat's implied ones; openat2's from its struct. */
  flags?: number;
  /** socket/socketpair. */
  family?: number;
  sockType?: number;
  /** clone, clone3 (from struct clone_args), unshare. */
  cloneFlags?: number;
  /** ioctl. */
  request?: number;
  /** personality's persona argument. */
  persona?: number;
  /** The first exec of the run: the container's entrypoint. */
  entrypoint?: boolean;
}

/** Phase tracking, as the agent's decide.ts does it (see TaskImage there): init until the first exec completed. */
export interface PhaseState {
  execveSeen: boolean;
  initImage?: TaskImage;
  execCompleted: boolean;
}

export const INITIAL_PHASE: PhaseState = Object.freeze({ execveSeen: false, execCompleted: false });

export function phaseNeedsImage(s: PhaseState): boolean {
  return s.execveSeen ? !s.execCompleted && s.initImage !== undefined : s.initImage === undefined;
}

const EXEC = new Set(['execve', 'execveat']);

/** The phase of one call and the next state (pure). */
export function nextPhase(s: PhaseState, syscall: string, image: TaskImage | undefined): { phase: Phase; state: PhaseState; entrypoint: boolean } {
  if (!s.execveSeen) {
    const state = { ...s, ...(s.initImage === undefined && image !== undefined ? { initImage: image } : {}) };
    if (EXEC.has(syscall)) return { phase: 'init', state: { ...state, execveSeen: true }, entrypoint: true };
    return { phase: 'init', state, entrypoint: false };
  }
  if (!s.execCompleted) {
    if (s.initImage !== undefined && image !== undefined && sameImage(s.initImage, image)) {
      // The entrypoint's execve restarted (a signal), or another thread of init: still init.
      return { phase: 'init', state: s, entrypoint: EXEC.has(syscall) };
    }
    return { phase: 'workload', state: { ...s, execCompleted: true }, entrypoint: false };
  }
  return { phase: 'workload', state: s, entrypoint: false };
}

const u32 = (v: bigint | undefined): number => Number(BigInt.asUintN(32, v ?? 0n));
const CREAT_FLAGS = 0o1101; // O_CREAT|O_WRONLY|O_TRUNC

/** The first 8 bytes at addr in the task's memory (clone3's and openat2's flags lead their structs). */
export function readU64(pid: number, addr: bigint): bigint | undefined {
  if (addr === 0n) return undefined;
  let fd: number;
  try {
    fd = openSync(`/proc/${pid}/mem`, 'r');
  } catch {
    return undefined;
  }
  try {
    const buf = Buffer.alloc(8);
    return readSync(fd, buf, 0, 8, addr) === 8 ? buf.readBigUInt64LE(0) : undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

function readPath(pid: number, args: readonly bigint[], where: { pathArg: number; dirfdArg?: number }): string | undefined {
  const s = readCString(pid, args[where.pathArg] ?? 0n);
  if (!s.ok) return undefined;
  const raw = binaryForDisplay(s.value);
  if (raw.startsWith('/')) return posix.normalize(raw);
  const dirfd = where.dirfdArg === undefined ? AT_FDCWD : Number(BigInt.asIntN(32, args[where.dirfdArg] ?? 0n));
  const base = readBaseDir(pid, dirfd);
  if (base === undefined) return raw;
  return posix.normalize(posix.join(binaryForDisplay(base), raw)).replace(/(.)\/$/, '$1');
}

/** The arguments of one call that a profile can act on (reads the task's memory where needed). */
export function observeArgs(pid: number, syscall: string, args: readonly bigint[]): Omit<CallRecord, 'syscall' | 'phase'> {
  const out: Omit<CallRecord, 'syscall' | 'phase'> = {};
  const where = PATH_CALLS[syscall];
  if (where) {
    const path = readPath(pid, args, where);
    if (path !== undefined) out.path = path;
  }
  switch (syscall) {
    case 'open': out.flags = u32(args[1]); break;
    case 'openat': out.flags = u32(args[2]); break;
    case 'creat': out.flags = CREAT_FLAGS; break;
    case 'openat2': {
      const f = readU64(pid, args[2] ?? 0n);
      if (f !== undefined) out.flags = Number(BigInt.asUintN(32, f));
      break;
    }
    case 'socket':
    case 'socketpair':
      out.family = u32(args[0]);
      out.sockType = u32(args[1]);
      break;
    case 'clone':
    case 'unshare':
      out.cloneFlags = u32(args[0]);
      break;
    case 'clone3': {
      const f = readU64(pid, args[0] ?? 0n);
      if (f !== undefined) out.cloneFlags = Number(BigInt.asUintN(32, f));
      break;
    }
    case 'ioctl':
      out.request = u32(args[1]);
      break;
    case 'personality':
      out.persona = u32(args[0]);
      break;
  }
  return out;
}
