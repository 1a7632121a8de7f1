/**
 * Carries out the host side of a merge (bind the rootfs where mapped ids can reach it, create
 * bind sources and per-container job directories) and undoes it when the container is deleted.
 * Every path is resolved without following symlinks through directories only root may change
 * (host/safe-path.ts), and only what an action creates itself gets an owner or a mode.
 *
 * Crash safety: the record of what a container's create does is written (atomically)
 * BEFORE doing it, under <state.dir>/containers/<id>.json. `delete` undoes what the record
 * lists; a create that died half-way, or a container deleted behind our back, is cleaned up
 * by the next create's sweep (sweepStale): its runtime state directory is gone and the process
 * that ran its runtime has ended (for a record that does not name it: older than a minute). Undo is idempotent: every step tolerates "already undone".
 */
import { closeSync, constants, fstatSync, openSync, readdirSync, readFileSync, rmdirSync, statSync, unlinkSync, existsSync, utimesSync } from 'node:fs';
import { basename, join } from 'node:path';
import { BeneathError, assertSafePath, ensureDir, inspectPath, mkdirBeneath } from './safe-path.js';
import { OpenclawError } from '../errors.js';
import { errnoOf, writeFileAtomic } from '../util/atomic-file.js';
import type { ProcessRunner } from '../util/child-process.js';
import { jobDirOf } from '../profile/binds.js';
import { validContainerId } from '../oci/container-id.js';
import type { HostAction } from './types.js';
import { procStartTime } from '../util/proc-start.js';

export interface HostRecord {
  id: string;
  /** runc's --root for this container, to tell whether it still exists. */
  runcRoot: string;
  createdAt: string;
  actions: HostAction[];
  /**
   * The process that runs the runtime for this create (the Node path: Node, which waits for
   * it; the launcher: the launcher, which becomes the runtime). While it lives the record is
   * a create in flight; once it is gone and the runtime does not know the id, the container
   * never came to be or has ended, whatever the record's age. Absent (older records, a
   * caller whose pid is unknown): the age rule alone.
   */
  creator?: Creator;
}

export interface Creator {
  pid: number;
  /** /proc/PID/stat start time: a reused pid is not the creator. */
  start: string;
}

/** `pid` as a record's creator, or undefined when it is not running. */
export function creatorOf(pid: number): Creator | undefined {
  const start = procStartTime(pid);
  return start === undefined ? undefined : { pid, start };
}

function creatorAlive(c: Creator): boolean {
  return procStartTime(c.pid) === c.start;
}

export const DEFAULT_RUNC_ROOT = '/run/runc';
/** crun's state root for root when no --root is given (runc's is DEFAULT_RUNC_ROOT). */
export const DEFAULT_CRUN_ROOT = '/run/crun';

/**
 * Where `runtime` keeps its containers' state: --root when given, else that runtime's own
 * default. Whether a container still exists is read there; with runc's default for a crun
 * container, a live one would look gone, and its host set-up be undone under it.
 */
export function runtimeStateRoot(runtime: string, root: string | undefined): string {
  if (root !== undefined) return root;
  return basename(runtime) === 'crun' ? DEFAULT_CRUN_ROOT : DEFAULT_RUNC_ROOT;
}

/** Whether the runtime still knows container `id` (its state directory is there). */
export function runtimeKnows(stateRoot: string, id: string): boolean {
  return existsSync(join(stateRoot, id));
}
const STALE_AFTER_MS = 60_000;

function recordsDir(stateDir: string): string {
  return join(stateDir, 'containers');
}

function recordPath(stateDir: string, id: string): string {
  return join(recordsDir(stateDir), `${id}.json`);
}

/** The state directory: root's, reached without symlinks, searchable by others (0711) when this creates it. */
export function ensureStateDir(stateDir: string): void {
  ensureDir(stateDir, { mode: 0o711, parentMode: 0o711, field: 'state.dir', fix: 'set [state] dir in the openclaw config to a directory whose every parent is owned by root and writable by nobody else (the default /run/openclaw)' });
}

/** Directories the mapped root must traverse: searchable by others, listable by nobody. */
function mkdirTraversable(path: string): void {
  ensureDir(path, { mode: 0o711, parentMode: 0o711, field: 'state.dir' });
}

export async function performHostActions(
  stateDir: string,
  id: string,
  runcRoot: string,
  actions: HostAction[],
  run: ProcessRunner,
  creator?: Creator,
): Promise<void> {
  if (actions.length === 0) return;
  if (!validContainerId(id)) {
    throw new OpenclawError('host', `container id "${id}" cannot name a host record`, { fix: 'use a container id of letters, digits, _, +, - and . only (what runc accepts)' });
  }
  ensureStateDir(stateDir);
  ensureDir(recordsDir(stateDir), { mode: 0o700, parentMode: 0o711, field: 'state.dir' });
  const record: HostRecord = { id, runcRoot, createdAt: new Date().toISOString(), actions, ...(creator ? { creator } : {}) };
  try {
    writeFileAtomic(recordPath(stateDir, id), JSON.stringify(record, null, 2), { mode: 0o600 });
  } catch (err) {
    const code = errnoOf(err);
    throw new OpenclawError('host', `cannot write the host record of container ${id} (${code}); nothing on the host was changed`, {
      file: recordPath(stateDir, id),
      fix: code === 'ENOSPC' ? 'free space on the filesystem that holds [state] dir' : 'check that [state] dir is a root-owned directory on a writable filesystem',
    });
  }
  try {
    for (const action of actions) {
      try {
        await HOST_ACTIONS[action.kind].perform(action as never, stateDir, run);
      } catch (err) {
        if (err instanceof OpenclawError) throw err;
        throw new OpenclawError('host', `preparing the host for container ${id} failed at ${action.kind} (${(err as Error).message})`, {
          fix: 'check that the path exists and that the shim runs as root',
          cause: err,
        });
      }
    }
  } catch (err) {
    await undoHostActions(stateDir, id, run).catch(() => undefined);
    throw err;
  }
}

interface ActionHandler<K extends HostAction['kind']> {
  perform(action: Extract<HostAction, { kind: K }>, stateDir: string, run: ProcessRunner): Promise<void>;
  /** Undo; must succeed when the action was never done or is already undone. */
  undo(action: Extract<HostAction, { kind: K }>, run: ProcessRunner): Promise<void>;
}

async function mustRun(run: ProcessRunner, file: string, args: string[], what: string): Promise<void> {
  const r = await run(file, args);
  if (r.exitCode !== 0) {
    throw new OpenclawError('host', `${what} failed: ${r.stderr.trim() || `exit ${r.exitCode}`}`, {
      fix: 'check that the shim runs as root with mount privileges on the host',
    });
  }
}

async function isMountPoint(run: ProcessRunner, path: string): Promise<boolean> {
  return (await run('mountpoint', ['-q', path])).exitCode === 0;
}

/** One handler per HostAction kind (host/types.ts): the mapped type makes a new kind a type error until it has one. */
const HOST_ACTIONS: { [K in HostAction['kind']]: ActionHandler<K> } = {
  'bind-rootfs': {
    async perform(a, stateDir, run) {
      // The source was checked at merge (root.path); again here, right before mount(8) runs as root.
      assertSafePath(a.source, { field: 'root.path', fix: 'point root.path at the rootfs directory itself, in a bundle whose parent directories only root may write' });
      mkdirTraversable(join(stateDir, 'rootfs'));
      if (!inspectPath(join(stateDir, 'rootfs')).traversableByOthers) {
        throw new OpenclawError('host', `the container's mapped ids cannot search the state directory ${stateDir} or a directory above it, so they cannot reach the rootfs bound there`, {
          field: 'state.dir',
          fix: 'set state.dir in the openclaw config to a directory that it and its parents let others search (o+x; the default /run/openclaw does); the shim changes the mode of no directory it did not create',
        });
      }
      mkdirTraversable(a.target);
      if (await isMountPoint(run, a.target)) return;
      await mustRun(run, 'mount', ['--bind', a.source, a.target], `bind-mounting the rootfs ${a.source} at ${a.target}`);
      await mustRun(run, 'mount', ['--make-private', a.target], `making ${a.target} private`);
    },
    async undo(a, run) {
      if (existsSync(a.target) && (await isMountPoint(run, a.target))) {
        // Lazy: a process still holding the old root does not block delete.
        await mustRun(run, 'umount', ['-l', a.target], `unmounting ${a.target}`);
      }
      try {
        rmdirSync(a.target);
      } catch {
        /* gone already */
      }
    },
  },
  mountpoint: {
    async perform(a) {
      // One component at a time from an fd of the rootfs, never following a symlink: the image
      // is untrusted, and /input -> /etc in it must not make us create host directories.
      try {
        mkdirBeneath(a.rootfs, a.path, 0o755, { file: a.file });
      } catch (err) {
        if (!(err instanceof BeneathError)) throw err;
        throw new OpenclawError('host', `cannot create the mount point ${a.path} in the rootfs: ${err.prefix} is ${err.what} in the image`, {
          fix: `use an image where ${a.path} is a plain ${a.file ? 'file' : 'directory'} (or absent), or bind to another destination`,
        });
      }
    },
    async undo() {
      // Kept: an empty directory in the container's own rootfs.
    },
  },
  mkdir: {
    async perform(a) {
      const made = ensureDir(a.path, { mode: a.mode, uid: a.uid, gid: a.gid, parentMode: a.parentMode });
      if (!made.created && !made.stat.isDirectory()) {
        throw new OpenclawError('host', `bind source ${a.path} exists and is not a directory`, { fix: 'point the bind at a directory' });
      }
      if (!made.created && a.reuse === 'root-owned' && (made.stat.uid !== 0 || (made.stat.mode & 0o022) !== 0)) {
        throw new OpenclawError('host', `${a.path} already exists as ${made.stat.uid}:${made.stat.gid} mode ${(made.stat.mode & 0o7777).toString(8)}; a container's read-only directory must be root's own and writable by nobody else, and the shim changes no directory it did not create`, {
          fix: `make ${a.path} root's (chown root, chmod go-w) before the container starts, or remove it`,
        });
      }
      if (!made.created && a.reuse === 'same-owner') {
        const st = made.stat;
        if (st.uid !== a.uid || st.gid !== a.gid || (st.mode & 0o7777) !== a.mode) {
          throw new OpenclawError('host', `${a.path} already exists as ${st.uid}:${st.gid} mode ${(st.mode & 0o7777).toString(8)}, not the ${a.uid}:${a.gid} mode ${a.mode.toString(8)} this container's own directory must have; the shim changes no directory it did not create`, {
            fix: `remove ${a.path} (an earlier job with this id under another profile or id mapping), or run the container under a new id`,
          });
        }
      }
    },
    async undo() {
      // Kept: it may hold the container's output, which outlives the container.
    },
  },
  job: {
    async perform(a) {
      const dir = jobDirOf(a.jobsDir, a.id);
      const made = ensureDir(dir, { mode: 0o711, parentMode: 0o711, field: 'jobs.dir', fix: 'set [jobs] dir in the openclaw config to a directory whose every parent is owned by root and writable by nobody else (the default /var/lib/openclaw/jobs)' });
      if (!made.created && (made.stat.uid !== 0 || (made.stat.mode & 0o022) !== 0)) {
        throw new OpenclawError('host', `the job directory ${dir} exists but is not root's own (owner ${made.stat.uid}, mode ${(made.stat.mode & 0o7777).toString(8)})`, {
          field: 'jobs.dir',
          fix: `remove ${dir}, or run the container under a new id`,
        });
      }
    },
    async undo(a) {
      // Kept for the platform to collect; its mtime says when the container ended (jobs prune).
      const dir = jobDirOf(a.jobsDir, a.id);
      if (inspectPath(dir).unsafe) return;
      try {
        const now = new Date();
        utimesSync(dir, now, now);
      } catch {
        /* pruned already */
      }
    },
  },
};

/**
 * The record of `id`, if it is root's own file (no symlink, not writable by others) in a
 * records directory nobody else can change: a record drives mounts and unmounts as root.
 */
export function readHostRecord(stateDir: string, id: string): HostRecord | undefined {
  if (!validContainerId(id) || inspectPath(recordsDir(stateDir)).unsafe) return undefined;
  let fd: number | undefined;
  try {
    fd = openSync(recordPath(stateDir, id), constants.O_RDONLY | constants.O_NOFOLLOW);
    const st = fstatSync(fd);
    if (!st.isFile() || st.uid !== 0 || (st.mode & 0o022) !== 0) return undefined;
    return JSON.parse(readFileSync(fd, 'utf8')) as HostRecord;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export async function undoHostActions(stateDir: string, id: string, run: ProcessRunner): Promise<boolean> {
  const record = readHostRecord(stateDir, id);
  if (!record) return false;
  for (const action of [...record.actions].reverse()) {
    // A record written by an earlier version may name kinds that no longer exist (chown): nothing to undo.
    await HOST_ACTIONS[action.kind]?.undo(action as never, run);
  }
  try {
    unlinkSync(recordPath(stateDir, id));
  } catch {
    /* another delete got there first */
  }
  return true;
}

/**
 * Undoes records of containers the runtime no longer knows, left by crashes, out-of-band
 * deletes, or a create whose runtime failed after the launcher exec'd it (crun runs no
 * poststop hook for a container that never started). A record whose creator still runs is a
 * create in flight; one with no creator recorded counts as that for a minute.
 */
export async function sweepStale(stateDir: string, run: ProcessRunner, now = Date.now()): Promise<string[]> {
  let names: string[];
  if (inspectPath(recordsDir(stateDir)).unsafe) return [];
  try {
    names = readdirSync(recordsDir(stateDir)).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const swept: string[] = [];
  for (const name of names) {
    const id = name.slice(0, -'.json'.length);
    const record = readHostRecord(stateDir, id);
    if (!record) continue;
    if (runtimeKnows(record.runcRoot, id)) continue;
    if (record.creator) {
      if (creatorAlive(record.creator)) continue;
    } else if (now - statSync(recordPath(stateDir, id)).mtimeMs < STALE_AFTER_MS) {
      continue;
    }
    await undoHostActions(stateDir, id, run);
    swept.push(id);
  }
  return swept;
}
