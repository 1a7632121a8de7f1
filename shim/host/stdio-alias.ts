/**
 * Private aliases of the caller's stdio device nodes, for containers with a user namespace.
 *
 * Before a container's init enters its user namespace, the low-level runtime fchowns the
 * container's stdio to the container's root, so the workload can reopen /proc/self/fd/N. When
 * stdio is a device node, that fchown changes the host's node: crun 1.8.1 (Debian 12) does it
 * to the host's /dev/null, which docker/containerd hand a container as stdin, so /dev/null
 * became owned by the mapped root (uid 100000 here) and any of those containers' root could
 * chmod it (crun issue 1845, fixed upstream in 2025 by never chowning devices). runc skips
 * /dev/null but chowns any other character device (a terminal) the same way.
 *
 * Defence, whatever the runtime: each of fds 0-2 that is a character or block device is
 * replaced, for the runtime only, by an fd of a private node with the same type and numbers,
 * made in a root-only directory and unlinked at once. Reads and writes reach the same device;
 * the runtime's fchown lands on an inode nobody else can reach, which disappears with the last
 * fd. Regular files, pipes and sockets are left alone (their owner is the engine's to give).
 */
import { closeSync, constants, fstatSync, openSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { devMajorMinor } from './facts.js';
import { ensureDir } from './safe-path.js';

export type StdioSlot = number | 'inherit';

// Linux values; Node's fs.constants has neither.
const O_ACCMODE = 0o3;
const O_CLOEXEC = 0o2000000;

/** The access mode and status flags fd was opened with (/proc/self/fdinfo), as open(2) flags. */
function openFlagsOf(fd: number): number {
  const m = /^flags:\s+([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
  const flags = m ? Number.parseInt(m[1]!, 8) : constants.O_RDWR;
  return (flags & (O_ACCMODE | constants.O_APPEND | constants.O_NONBLOCK)) | constants.O_NOCTTY | O_CLOEXEC;
}

/** The root-only directory aliases are made in (the launcher makes them there too, when the service answers a create). */
export function stdioAliasDir(stateDir: string): string {
  const dir = join(stateDir, 'stdio');
  ensureDir(dir, { mode: 0o700, parentMode: 0o711, field: 'state.dir' });
  return dir;
}

/**
 * Slots for fds 0, 1, 2: an fd of a private alias for each device node, 'inherit' for the rest.
 * Returns the fds to close once the runtime has been started.
 */
export function aliasDeviceStdio(stateDir: string, tag: string): { stdio: [StdioSlot, StdioSlot, StdioSlot]; opened: number[] } {
  const stdio: [StdioSlot, StdioSlot, StdioSlot] = ['inherit', 'inherit', 'inherit'];
  const opened: number[] = [];
  for (const fd of [0, 1, 2] as const) {
    let st;
    try {
      st = fstatSync(fd, { bigint: true });
    } catch {
      continue; // closed: the runtime inherits it closed
    }
    const type = st.isCharacterDevice() ? 'c' : st.isBlockDevice() ? 'b' : undefined;
    if (type === undefined) continue;
    const alias = join(stdioAliasDir(stateDir), `${tag}.${process.pid}.${fd}`);
    const { major, minor } = devMajorMinor(st.rdev);
    execFileSync('mknod', ['-m', (Number(st.mode) & 0o7777).toString(8), alias, type, String(major), String(minor)]);
    try {
      const aliasFd = openSync(alias, openFlagsOf(fd));
      opened.push(aliasFd);
      stdio[fd] = aliasFd;
    } finally {
      unlinkSync(alias);
    }
  }
  return { stdio, opened };
}

export function closeAll(fds: readonly number[]): void {
  for (const fd of fds) {
    try {
      closeSync(fd);
    } catch {
      /* already closed */
    }
  }
}
