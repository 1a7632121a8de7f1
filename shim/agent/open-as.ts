/**
 * Opening a writable path on a task's behalf, as the task itself would, and never waiting.
 *
 *  - As the task: every open runs under the task's filesystem uid/gid, supplementary groups
 *    and effective capabilities (host ids, from /proc/PID/status), switched on the agent's
 *    own thread only for that one system call (addon openat2As). Search permission on the
 *    way, the file's own mode, the owner and group of a created file, the set-group-id
 *    directory rule: all are the kernel's checks for the task. A container whose root is host
 *    root (no user namespace) opens with root's fsuid and only the capabilities it has itself
 *    (runc's default set has no CAP_DAC_OVERRIDE, so a 0600 file of another user stays shut);
 *    one that has CAP_DAC_OVERRIDE could open the file itself, and the agent does no more.
 *    With a user namespace, capabilities the task holds inside it do not apply (the kernel
 *    drops file capabilities once fsuid is not 0): the agent may refuse what the task's own
 *    CAP_DAC_OVERRIDE would allow, never the reverse.
 *  - Never waiting: the path is first opened O_PATH (no open side effects: a FIFO does not
 *    wait for a peer, a device is not opened, no lease is broken), its type checked, and the
 *    same inode reopened through /proc/thread-self/fd with O_NONBLOCK: a lease answers
 *    EWOULDBLOCK instead of waiting up to lease-break-time. FIFOs and sockets are refused,
 *    devices unless the profile lists their exact path. O_NONBLOCK is cleared again unless the
 *    task asked for it.
 *  - Byte-exact: the path is the task's bytes (binary string, see proc.ts).
 */
import { closeSync, fstatSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { isNativeError, type NativeAgent, type OpenCreds } from './native.js';
import { binaryToBytes, type TaskCreds } from './proc.js';

export interface OpenRequest {
  /** Container-absolute path, normalized, binary form. */
  path: string;
  /** The task's open flags, without O_CLOEXEC (the injected fd gets the task's own). */
  flags: number;
  /** The task's mode argument (the task's umask is applied here). */
  mode: number;
  /** The path is itself an entry of the profile's writable list: a device node there may be opened (/dev/null). */
  deviceAllowed: boolean;
}

export type OpenOutcome =
  | { ok: true; fd: number }
  /** The kernel's own answer (ENOENT, EACCES, ELOOP for a symlink, EISDIR, ...): the task sees it. */
  | { ok: false; errno: number }
  /** The agent refused (a FIFO, a socket, a lease that would block): logged as a denial. */
  | { ok: false; errno: number; refused: string };

const { errno: E } = osConstants;

/** What the reopen must not carry: creation is done, and the magic link is a symlink by definition. */
function reopenFlags(N: NativeAgent, flags: number): number {
  const C = N.fileConstants;
  return (flags & ~(C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW)) | C.O_NONBLOCK;
}

export function openAsTask(N: NativeAgent, rootFd: number, req: OpenRequest, task: TaskCreds, refuseErrno: number): OpenOutcome {
  const C = N.fileConstants;
  const creds: OpenCreds = { fsuid: task.fsuid, fsgid: task.fsgid, groups: task.groups, capEffective: task.capEffective };
  const resolve = C.RESOLVE_IN_ROOT | C.RESOLVE_NO_SYMLINKS | C.RESOLVE_NO_MAGICLINKS;
  const path = binaryToBytes(req.path);
  const mode = req.mode & ~task.umask & 0o7777;
  const open = (dirfd: number, p: Buffer | string, flags: number, m: number, r: number): OpenOutcome => {
    try {
      return { ok: true, fd: N.openat2As(creds, dirfd, p, flags, m, r) };
    } catch (e) {
      return { ok: false, errno: isNativeError(e) ? e.errno : E.EIO };
    }
  };
  const finish = (o: OpenOutcome): OpenOutcome => {
    if (!o.ok || req.flags & C.O_NONBLOCK) return o;
    try {
      N.fcntlSetfl(o.fd, N.fcntlGetfl(o.fd) & ~C.O_NONBLOCK);
      return o;
    } catch (e) {
      closeSync(o.fd);
      return { ok: false, errno: isNativeError(e) ? e.errno : E.EIO };
    }
  };
  // A new file, or an unnamed one: always a regular file, no lease or peer can exist yet.
  const create = (): OpenOutcome => open(rootFd, path, req.flags | C.O_EXCL | C.O_NONBLOCK | C.O_NOFOLLOW, mode, resolve);

  if ((req.flags & C.O_TMPFILE) === C.O_TMPFILE) return finish(open(rootFd, path, req.flags | C.O_NONBLOCK | C.O_NOFOLLOW, mode, resolve));
  const creating = (req.flags & C.O_CREAT) !== 0;
  if (creating && req.flags & C.O_EXCL) return finish(create());
  // O_CREAT without O_EXCL: open what exists, else create; a file created or removed in
  // between by someone else only sends us round again.
  for (let attempt = 0; attempt < 3; attempt++) {
    const found = open(rootFd, path, C.O_PATH | C.O_NOFOLLOW | (req.flags & C.O_DIRECTORY), 0, resolve);
    if (!found.ok) {
      if (!(creating && found.errno === E.ENOENT)) return found;
      const made = create();
      if (!made.ok && made.errno === E.EEXIST) continue;
      return finish(made);
    }
    try {
      const st = fstatSync(found.fd);
      if (st.isFIFO()) return { ok: false, errno: refuseErrno, refused: 'write-open of a FIFO (only regular files are opened)' };
      if (st.isSocket()) return { ok: false, errno: refuseErrno, refused: 'write-open of a socket (only regular files are opened)' };
      if ((st.isCharacterDevice() || st.isBlockDevice()) && !req.deviceAllowed) {
        return { ok: false, errno: refuseErrno, refused: 'write-open of a device node the profile does not list' };
      }
      if (creating && st.isDirectory()) return { ok: false, errno: E.EISDIR };
      // The very inode found above: nothing can be swapped in between.
      const reopened = open(C.AT_FDCWD, `/proc/thread-self/fd/${found.fd}`, reopenFlags(N, req.flags), 0, 0);
      if (!reopened.ok && reopened.errno === E.EWOULDBLOCK) {
        return { ok: false, errno: E.EWOULDBLOCK, refused: 'write-open of a file under a lease (would wait for the lease to break)' };
      }
      return finish(reopened);
    } finally {
      closeSync(found.fd);
    }
  }
  return { ok: false, errno: E.EAGAIN, refused: 'write-open: the path kept changing between lookup and create' };
}
