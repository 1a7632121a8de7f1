/**
 * Reading a notifying task through /proc: its memory (a path argument), its cwd or an fd's
 * path (the base of a relative path), and its umask, filesystem ids, groups and effective
 * capabilities (the agent opens a writable path as the task would). Everything here can race
 * with the task, which is why the server checks NOTIF_ID_VALID afterwards and never answers
 * CONTINUE to a path-based decision.
 *
 * Paths are bytes: a Linux file name is any bytes but NUL and '/', not necessarily UTF-8.
 * They travel as "binary" strings (one char per byte, Buffer#toString('latin1')), so the
 * string logic in decide/paths (which only looks at '/' and '.', never inside a UTF-8
 * sequence) sees exactly the task's bytes, and the open gets them back unchanged.
 */
import { closeSync, openSync, readFileSync, readSync, readlinkSync } from 'node:fs';

const PAGE = 4096;
export const PATH_MAX = 4096;

/** A byte string as a "binary" string (one char per byte), and back: exact for any bytes. */
export const bytesToBinary = (b: Buffer): string => b.toString('latin1');
export const binaryToBytes = (s: string): Buffer => Buffer.from(s, 'latin1');
/** A UTF-8 text (a profile's writable path) in the binary form the task's paths have. */
export const utf8ToBinary = (s: string): string => bytesToBinary(Buffer.from(s, 'utf8'));
/** For logs only: the bytes as UTF-8 where they are, with U+FFFD where they are not. */
export const binaryForDisplay = (s: string): string => binaryToBytes(s).toString('utf8');

/**
 * Reads a NUL-terminated string at addr (at most max bytes), page by page so an unmapped page
 * after the string does not fail the read. The value is the bytes in binary form (see above).
 */
export function readCString(pid: number, addr: bigint, max = PATH_MAX): { ok: true; value: string } | { ok: false; reason: string } {
  if (addr === 0n) return { ok: false, reason: 'NULL path' };
  let fd: number;
  try {
    fd = openSync(`/proc/${pid}/mem`, 'r');
  } catch (e) {
    return { ok: false, reason: `open /proc/${pid}/mem: ${(e as NodeJS.ErrnoException).code ?? e}` };
  }
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    let pos = addr;
    while (total < max) {
      const toPageEnd = PAGE - Number(pos % BigInt(PAGE));
      const want = Math.min(toPageEnd, max - total);
      const buf = Buffer.alloc(want);
      let n: number;
      try {
        n = readSync(fd, buf, 0, want, pos);
      } catch (e) {
        return { ok: false, reason: `read memory: ${(e as NodeJS.ErrnoException).code ?? e}` };
      }
      if (n <= 0) return { ok: false, reason: 'read memory: short read' };
      const nul = buf.subarray(0, n).indexOf(0);
      if (nul >= 0) {
        chunks.push(buf.subarray(0, nul));
        return { ok: true, value: bytesToBinary(Buffer.concat(chunks)) };
      }
      chunks.push(buf.subarray(0, n));
      total += n;
      pos += BigInt(n);
    }
    return { ok: false, reason: 'path longer than PATH_MAX' };
  } finally {
    closeSync(fd);
  }
}

/** AT_FDCWD as the int in the dirfd register. */
export const AT_FDCWD = -100;

/**
 * The container-absolute path of the task's cwd (dirfd AT_FDCWD) or of its fd `dirfd`. The
 * kernel prints these relative to the task's own root when our root cannot reach it (a
 * pivot_root'ed container), which is the path we want; anything not absolute is refused.
 */
export function readBaseDir(pid: number, dirfd: number): string | undefined {
  try {
    const link = bytesToBinary(readlinkSync(dirfd === AT_FDCWD ? `/proc/${pid}/cwd` : `/proc/${pid}/fd/${dirfd}`, { encoding: 'buffer' }));
    return link.startsWith('/') && !link.endsWith(' (deleted)') ? link : undefined;
  } catch {
    return undefined;
  }
}

export interface TaskCreds {
  umask: number;
  /** Filesystem uid/gid and supplementary groups as the agent's (the host's) user namespace sees them. */
  fsuid: number;
  fsgid: number;
  groups: number[];
  /** The task's effective capabilities (CapEff), a 64-bit mask. */
  capEffective: bigint;
}

/** Parses /proc/PID/status text (pure; exported for tests). */
export function parseStatus(text: string): TaskCreds | undefined {
  const field = (name: string): string[] | undefined => {
    const m = new RegExp(`^${name}:[ \\t]*(.*)$`, 'm').exec(text);
    return m?.[1]?.trim().split(/\s+/).filter(Boolean);
  };
  const umask = field('Umask')?.[0];
  const uid = field('Uid')?.[3];
  const gid = field('Gid')?.[3];
  const groups = field('Groups');
  const capEff = field('CapEff')?.[0];
  if (umask === undefined || uid === undefined || gid === undefined || groups === undefined || capEff === undefined) return undefined;
  if (!/^[0-7]+$/.test(umask) || !/^\d+$/.test(uid) || !/^\d+$/.test(gid) || !groups.every((g) => /^\d+$/.test(g)) || !/^[0-9a-f]{1,16}$/.test(capEff)) return undefined;
  return {
    umask: Number.parseInt(umask, 8),
    fsuid: Number(uid),
    fsgid: Number(gid),
    groups: groups.map(Number),
    capEffective: BigInt(`0x${capEff}`),
  };
}

export function readTaskCreds(pid: number): TaskCreds | undefined {
  try {
    return parseStatus(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return undefined;
  }
}
