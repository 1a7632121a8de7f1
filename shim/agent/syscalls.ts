/**
 * The system calls the agent reasons about, per architecture, as lookup tables: the argument
 * layout of each call it decides on, and names for the denial log.
 *
 * NOTE when the seccomp compiler starts notifying another call that needs more than
 * "allowed before the first execve, denied after", add its layout to CALL_LAYOUTS and a row
 * to test/unit/agent/decide.test.ts.
 */

import { SYSCALLS, syscallNumber } from '../seccomp/syscall-table.js';
import { O_FLAGS, WRITE_OPEN_MASK } from '../seccomp/vocabulary.js';

/** AUDIT_ARCH_* values as seccomp_data.arch carries them (keys: syscall-table column names). */
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

/**
 * number -> name per AUDIT_ARCH value, from the same generated libseccomp table the compiler
 * uses (seccomp/syscall-table.ts), so every notified call has its name in the denial log.
 */
const NAMES: Record<number, Record<number, string>> = Object.fromEntries(
  (Object.keys(AUDIT_ARCH) as ArchName[]).map((arch) => {
    const byNumber: Record<number, string> = {};
    for (const name of Object.keys(SYSCALLS)) {
      const nr = syscallNumber(name, arch);
      if (nr !== undefined) byNumber[nr] = name;
    }
    return [AUDIT_ARCH[arch], byNumber];
  }),
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

/** open(2) flag bits the agent needs, as numbers (the compiler's O_FLAGS are bigints). */
export const OPEN_FLAGS = {
  O_CLOEXEC: Number(O_FLAGS.O_CLOEXEC),
} as const;

/**
 * The bits that make an open write-class (write access, create, truncate, tmpfile): the very
 * mask the compiler sends to the agent with, so both always agree on what a write-open is.
 */
export const WRITE_CLASS_MASK = Number(WRITE_OPEN_MASK);
