/**
 * Carries out the host side of a merge (bind the rootfs where mapped ids can reach it,
 * create bind sources, chown writable ones) and undoes it when the container is deleted.
 *
 * Crash safety: the record of what a container's create does is written (atomically)
 * BEFORE doing it, under <state.dir>/containers/<id>.json. `delete` undoes what the record
 * lists; a create that died half-way, or a container deleted behind our back, is cleaned up
 * by the next create's sweep (sweepStale): its runc state directory is gone and its record
 * is older than a minute. Undo is idempotent: every step tolerates "already undone".
 */
import { closeSync, constants, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, rmdirSync, statSync, unlinkSync, chmodSync, chownSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { traversableByOthers } from './facts.js';
import { OpenclawError } from '../errors.js';
import type { HostAction } from '../merge/types.js';
import { writeFileAtomic } from '../spec/io.js';
import type { ProcessRunner } from './runner.js';

export interface HostRecord {
  id: string;
  /** runc's --root for this container, to tell whether it still exists. */
  runcRoot: string;
  createdAt: string;
  actions: HostAction[];
}

export const DEFAULT_RUNC_ROOT = '/run/runc';
const STALE_AFTER_MS = 60_000;

function recordsDir(stateDir: string): string {
  return join(stateDir, 'containers');
}

function recordPath(stateDir: string, id: string): string {
  return join(recordsDir(stateDir), `${id}.json`);
}

/** Directories the mapped root must traverse: searchable by others, listable by nobody. */
function mkdirTraversable(path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o711 });
  chmodSync(path, 0o711);
}

export async function performHostActions(
  stateDir: string,
  id: string,
  runcRoot: string,
  actions: HostAction[],
  run: ProcessRunner,
): Promise<void> {
  if (actions.length === 0) return;
  mkdirTraversable(stateDir);
  mkdirSync(recordsDir(stateDir), { recursive: true, mode: 0o700 });
  const record: HostRecord = { id, runcRoot, createdAt: new Date().toISOString(), actions };
  writeFileAtomic(recordPath(stateDir, id), JSON.stringify(record, null, 2));
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

/** NOTE when adding a HostAction kind (merge/types.ts) also add its handler here. */
const HOST_ACTIONS: { [K in HostAction['kind']]: ActionHandler<K> } = {
  'bind-rootfs': {
    async perform(a, stateDir, run) {
      if (!traversableByOthers(dirname(stateDir))) {
        throw new OpenclawError('host', `the state directory ${stateDir} is below a directory the container's mapped ids cannot search, so they cannot reach the rootfs bound there`, {
          field: 'state.dir',
          fix: 'set state.dir in the openclaw config to a directory whose parents are all searchable by others (the default /run/openclaw is)',
        });
      }
      mkdirTraversable(join(stateDir, 'rootfs'));
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
      // Walk the path one component at a time without following symlinks: the image is
      // untrusted, and /input -> /etc in it must not make us create host directories.
      let cur = a.rootfs;
      const parts = a.path.split('/').filter(Boolean);
      for (const [i, part] of parts.entries()) {
        cur = join(cur, part);
        let st;
        try {
          st = lstatSync(cur);
        } catch {
          if (a.file && i === parts.length - 1) {
            // O_EXCL|O_NOFOLLOW: never through a symlink planted meanwhile.
            closeSync(openSync(cur, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | constants.O_NOFOLLOW, 0o644));
            return;
          }
          mkdirSync(cur, { mode: 0o755 });
          continue;
        }
        if (a.file && i === parts.length - 1 && st.isFile()) return;
        if (!st.isDirectory()) {
          throw new OpenclawError('host', `cannot create the mount point ${a.path} in the rootfs: ${cur.slice(a.rootfs.length)} is ${st.isSymbolicLink() ? 'a symlink' : 'not a directory'} in the image`, {
            fix: `use an image where ${a.path} is a plain directory (or absent), or bind to another destination`,
          });
        }
      }
    },
    async undo() {
      // Kept: an empty directory in the container's own rootfs.
    },
  },
  mkdir: {
    async perform(a) {
      mkdirSync(a.path, { recursive: true, mode: 0o755 });
    },
    async undo() {
      // Kept: it may hold the container's output, which outlives the container.
    },
  },
  chown: {
    async perform(a) {
      chownSync(a.path, a.uid, a.gid);
    },
    async undo() {
      // Kept: the directory's content belongs to the mapped ids now.
    },
  },
};

export function readHostRecord(stateDir: string, id: string): HostRecord | undefined {
  try {
    return JSON.parse(readFileSync(recordPath(stateDir, id), 'utf8')) as HostRecord;
  } catch {
    return undefined;
  }
}

export async function undoHostActions(stateDir: string, id: string, run: ProcessRunner): Promise<boolean> {
  const record = readHostRecord(stateDir, id);
  if (!record) return false;
  for (const action of [...record.actions].reverse()) {
    await HOST_ACTIONS[action.kind].undo(action as never, run);
  }
  try {
    unlinkSync(recordPath(stateDir, id));
  } catch {
    /* another delete got there first */
  }
  return true;
}

/** Undoes records of containers runc no longer knows, left by crashes or out-of-band deletes. */
export async function sweepStale(stateDir: string, run: ProcessRunner, now = Date.now()): Promise<string[]> {
  let names: string[];
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
    const age = now - statSync(recordPath(stateDir, id)).mtimeMs;
    if (age < STALE_AFTER_MS) continue;
    if (existsSync(join(record.runcRoot, id))) continue;
    await undoHostActions(stateDir, id, run);
    swept.push(id);
  }
  return swept;
}
