/**
 * The agent's native addon (addon/, built by scripts/build-addon.sh) behind one typed
 * interface. The addon holds no policy: these are system calls over plain values.
 * NATIVE_EXPORTS and NATIVE_CONSTANTS name everything addon/src/*.cc exports: the type checker
 * holds them to NativeAgent, test/unit/agent/native.test.ts holds the built addon to them.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { OpenclawError } from '../errors.js';
import { ADDON_PATH } from '../package.js';

/** A system error as the addon throws it (same shape as Node's ErrnoException). */
export interface NativeError extends Error {
  errno: number;
  code: string;
  syscall: string;
}

export interface SeccompData {
  nr: number;
  /** AUDIT_ARCH_* value. */
  arch: number;
  instructionPointer: bigint;
  /** Always six entries, raw 64-bit register values. */
  args: bigint[];
}

export interface SeccompNotif {
  id: bigint;
  /** The notifying thread's id, in the agent's pid namespace. */
  pid: number;
  flags: number;
  data: SeccompData;
}

export interface ReceivedMessage {
  /** Empty at end of stream. */
  data: Buffer;
  fds: number[];
  /** The sender passed more fds than asked for (the extra ones were closed). */
  truncated: boolean;
}

export interface PollerHandle {
  stop(): void;
  /** No callbacks until resume(); the fd stays watched-for but is not polled. Idempotent. */
  pause(): void;
  resume(): void;
}

/** A filesystem identity in host ids: what openat2As opens as. */
export interface OpenCreds {
  fsuid: number;
  fsgid: number;
  groups: number[];
  /** Effective capabilities to keep (intersected with the agent's own), a 64-bit mask. */
  capEffective: bigint;
}

export interface NativeAgent {
  listenUnix(path: string, backlog: number): number;
  /** null when no connection is waiting. */
  acceptConn(listenFd: number): number | null;
  /** null when nothing is readable yet. */
  recvWithFds(fd: number, maxBytes: number, maxFds: number): ReceivedMessage | null;
  peerCred(fd: number): { pid: number; uid: number; gid: number };
  closeFd(fd: number): void;

  notifSizes(): { notif: number; resp: number; data: number };
  /** null when no notification is pending (never blocks). */
  notifRecv(fd: number): SeccompNotif | null;
  /** error: 0 or a negative errno. Throws code ENOENT when the caller is gone. */
  notifSend(fd: number, id: bigint, val: bigint, error: number, flags: number): void;
  notifIdValid(fd: number, id: bigint): boolean;
  /** Returns the fd number in the target (and answers the call when flags has SEND). */
  notifAddfd(fd: number, id: bigint, srcfd: number, newfdFlags: number, flags: number, newfd?: number): number;
  seccompConstants: ConstantsOf<'seccompConstants'>;

  /** path: a Buffer is used byte for byte, a string as UTF-8. */
  openat2(dirfd: number, path: Buffer | string, flags: number, mode: number, resolve: bigint | number): number;
  /**
   * openat2 made with the given filesystem identity on the calling thread only (setfsuid,
   * setfsgid, setgroups and capset as raw per-thread calls), restored before it returns; the
   * process aborts if the restore fails.
   */
  openat2As(creds: OpenCreds, dirfd: number, path: Buffer | string, flags: number, mode: number, resolve: bigint | number): number;
  /** The calling thread's filesystem identity (tests check the restore with it). */
  threadCreds(): OpenCreds;
  fcntlGetfl(fd: number): number;
  fcntlSetfl(fd: number, flags: number): void;
  /** false when LOCK_NB was given and the lock is held elsewhere. */
  flock(fd: number, op: number): boolean;
  fileConstants: ConstantsOf<'fileConstants'>;

  /** Watches fd for readability; callback gets the fd's revents (POLLIN, POLLHUP, ...). */
  Poller: new (fd: number, callback: (revents: number) => void) => PollerHandle;
  pollConstants: ConstantsOf<'pollConstants'>;
}

/** The constants the addon exports, by group. */
export const NATIVE_CONSTANTS = {
  seccompConstants: ['SECCOMP_USER_NOTIF_FLAG_CONTINUE', 'SECCOMP_ADDFD_FLAG_SEND'],
  fileConstants: [
    'AT_FDCWD', 'O_PATH', 'O_DIRECTORY', 'O_CLOEXEC', 'O_CREAT', 'O_EXCL', 'O_NONBLOCK', 'O_NOFOLLOW', 'O_TMPFILE',
    'RESOLVE_NO_MAGICLINKS', 'RESOLVE_NO_SYMLINKS', 'RESOLVE_IN_ROOT', 'LOCK_EX', 'LOCK_NB',
  ],
  pollConstants: ['POLLIN', 'POLLERR', 'POLLHUP', 'POLLNVAL'],
} as const;

type ConstantsOf<G extends keyof typeof NATIVE_CONSTANTS> = Record<(typeof NATIVE_CONSTANTS)[G][number], number>;

/** Every name the addon exports (the type checker makes this NativeAgent's keys, no more, no fewer). */
export const NATIVE_EXPORTS = {
  listenUnix: true, acceptConn: true, recvWithFds: true, peerCred: true, closeFd: true,
  notifSizes: true, notifRecv: true, notifSend: true, notifIdValid: true, notifAddfd: true, seccompConstants: true,
  openat2: true, openat2As: true, threadCreds: true, fcntlGetfl: true, fcntlSetfl: true, flock: true, fileConstants: true,
  Poller: true, pollConstants: true,
} as const satisfies Record<keyof NativeAgent, true>;

export function isNativeError(e: unknown, code?: string): e is NativeError {
  return e instanceof Error && typeof (e as NativeError).code === 'string' && (code === undefined || (e as NativeError).code === code);
}

let cached: NativeAgent | undefined;

/** Loads the addon once; a missing or unloadable build is an OpenclawError that says how to build it. */
export function loadNative(path = ADDON_PATH): NativeAgent {
  if (cached && path === ADDON_PATH) return cached;
  if (process.platform !== 'linux') {
    throw new OpenclawError('agent', 'the seccomp agent needs Linux (seccomp user notification)', {
      fix: 'run openclaw-runtime on a Linux host',
    });
  }
  if (!existsSync(path)) {
    throw new OpenclawError('agent', 'the seccomp agent addon is not built', {
      file: path,
      fix: 'run scripts/build-addon.sh (needs g++, make, python3 and the Node headers)',
    });
  }
  let mod: NativeAgent;
  try {
    mod = createRequire(import.meta.url)(path) as NativeAgent;
  } catch (cause) {
    throw new OpenclawError('agent', `the seccomp agent addon does not load: ${(cause as Error).message}`, {
      file: path,
      fix: 'rebuild it for this Node version with scripts/build-addon.sh --force',
      cause,
    });
  }
  if (path === ADDON_PATH) cached = mod;
  return mod;
}
