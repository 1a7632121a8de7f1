/**
 * Host paths the shim acts on as root (bind sources, the rootfs, mount points in the rootfs,
 * the state, cache and jobs directories), resolved without following symlinks and checked so
 * that nobody but root can replace them.
 *
 * How a path is resolved: one component at a time from an fd of "/", each step an
 * lstat/open of `/proc/self/fd/<parent fd>/<name>` with O_NOFOLLOW|O_DIRECTORY: the parent is
 * the directory already opened (the magic link cannot be swapped), and the name is never
 * followed. That is openat(2) with RESOLVE_NO_SYMLINKS, from plain Node. A symlink anywhere on
 * the way is refused, whoever made it (fs.protected_symlinks is off on some hosts, and a link
 * made by root today may be a user's tomorrow if its directory is theirs).
 *
 * Why a checked path is enough to hand to runc: runc resolves mount sources and root.path
 * itself, at create and start, after the shim has exited, so no fd of ours can travel there.
 * The path is therefore only safe if nobody but root can change what it names between our
 * check and runc's use. A directory entry can be renamed, removed or replaced only by a user
 * who may write its directory (rename(2), unlink(2)); so the rule is: every directory on the
 * way is owned by root and writable by nobody else, with one exception, a root-owned sticky
 * directory (/tmp): there others may add entries but cannot rename or remove root's, so a
 * root-owned *directory* in it is as fixed as one in /srv. (Files get no exception: a
 * hard link made by a user in /tmp can be owned by root.) See docs/threat-model.md.
 */
import { closeSync, constants, fchmodSync, fchownSync, fstatSync, lstatSync, mkdirSync, openSync, realpathSync, type Stats } from 'node:fs';
import { dirname, normalize } from 'node:path';
import { OpenclawError } from '../errors.js';

const DIR_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

export interface PathInspection {
  /** The path as checked: absolute and normalised. */
  path: string;
  /** Whether the whole path exists (without following symlinks). */
  exists: boolean;
  /** lstat of the path itself, when it exists. */
  stat?: Stats;
  /** Why someone other than root could replace the path or a directory on the way; undefined when nobody can. */
  unsafe?: string;
  /**
   * When the path is missing: the directory its first missing component would be created in,
   * if other users may create entries there (a sticky, world-writable directory such as /tmp).
   * What the shim creates there must be a directory owned by root, or it could be replaced.
   */
  missingUnderSharedDir?: string;
  /** Whether "other" may search every existing directory from / down to the path (what a user namespace's mapped root needs). */
  traversableByOthers: boolean;
}

function components(path: string): string[] {
  if (!path.startsWith('/')) throw new Error(`not an absolute path: ${path}`);
  return normalize(path).split('/').filter(Boolean);
}

function fdPath(fd: number, name: string): string {
  return `/proc/self/fd/${fd}/${name}`;
}

/**
 * Why `name` in the directory `fd` could not be opened as a directory without following it.
 * (open(O_DIRECTORY|O_NOFOLLOW) of a symlink fails with ENOTDIR as often as with ELOOP.)
 */
function notADirectory(fd: number, name: string, err: unknown): 'a symlink' | 'not a directory' | undefined {
  const code = (err as NodeJS.ErrnoException).code;
  if (code !== 'ELOOP' && code !== 'ENOTDIR') return undefined;
  try {
    return lstatSync(fdPath(fd, name)).isSymbolicLink() ? 'a symlink' : 'not a directory';
  } catch {
    return 'not a directory';
  }
}

/**
 * mkdir `name` in the directory `fd` (an entry already there will do), then open it as a
 * directory without following a symlink. Returns the fd and whether this call created it; when
 * it cannot be opened, throws what `refusal` makes of notADirectory's answer and the error.
 */
function makeAndOpenDir(fd: number, name: string, mkdirMode: number, refusal: (what: string | undefined, err: unknown) => Error): { childFd: number; created: boolean } {
  let created = false;
  try {
    mkdirSync(fdPath(fd, name), { mode: mkdirMode });
    created = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  try {
    return { childFd: openSync(fdPath(fd, name), DIR_FLAGS), created };
  } catch (err) {
    throw refusal(notADirectory(fd, name, err), err);
  }
}

function join2(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}

function mode(st: Stats): string {
  return (st.mode & 0o7777).toString(8).padStart(4, '0');
}

/** Other users may create entries in `dir` (it is theirs, or group/other-writable). */
function writableByOthers(dir: Stats): boolean {
  return dir.uid !== 0 || (dir.mode & 0o002) !== 0 || ((dir.mode & 0o020) !== 0 && dir.gid !== 0);
}

/** Root-owned and sticky: others may add entries but not rename or remove root's. */
function rootSticky(dir: Stats): boolean {
  return dir.uid === 0 && (dir.mode & 0o1000) !== 0;
}

/**
 * Why someone other than root could replace `child` (the entry `name` in `parent`), or
 * undefined. `child` undefined: the entry is missing and the shim would create it.
 */
function replaceable(parentPath: string, parent: Stats, childPath: string, child: Stats | undefined): string | undefined {
  if (parent.uid !== 0) return `${parentPath} is owned by uid ${parent.uid}, not root`;
  if (!writableByOthers(parent)) return undefined;
  if (rootSticky(parent) && (child === undefined || (child.uid === 0 && child.isDirectory()))) return undefined;
  const who = (parent.mode & 0o002) !== 0 ? 'all users' : `group ${parent.gid}`;
  const what = child === undefined ? '' : child.isDirectory() ? `, and ${childPath} is owned by uid ${child.uid}` : `, and ${childPath} is not a directory`;
  return `${parentPath} is writable by ${who} (mode ${mode(parent)})${what}`;
}

/** Walks `path` without following symlinks and reports what it found; never throws for what is on disk. */
export function inspectPath(path: string): PathInspection {
  const parts = components(path);
  const out: PathInspection = { path: '/' + parts.join('/'), exists: false, traversableByOthers: true };
  let fd = openSync('/', DIR_FLAGS);
  let st = fstatSync(fd);
  let cur = '/';
  try {
    if ((st.mode & 0o001) === 0) out.traversableByOthers = false;
    if (parts.length === 0) {
      out.exists = true;
      out.stat = st;
      return out;
    }
    for (let i = 0; i < parts.length; i++) {
      const name = parts[i]!;
      const next = join2(cur, name);
      let child: Stats;
      try {
        child = lstatSync(fdPath(fd, name));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
          out.unsafe = `${next} cannot be examined (${(err as Error).message})`;
          return out;
        }
        out.unsafe = replaceable(cur, st, next, undefined);
        if (!out.unsafe && writableByOthers(st)) out.missingUnderSharedDir = cur;
        return out;
      }
      if (child.isSymbolicLink()) {
        out.unsafe = `${next} is a symlink`;
        return out;
      }
      const why = replaceable(cur, st, next, child);
      if (why) {
        out.unsafe = why;
        return out;
      }
      const last = i === parts.length - 1;
      if (last) {
        out.exists = true;
        out.stat = child;
        if (child.isDirectory() && (child.mode & 0o001) === 0) out.traversableByOthers = false;
        return out;
      }
      if (!child.isDirectory()) {
        out.unsafe = `${next} is not a directory`;
        return out;
      }
      const childFd = openSync(fdPath(fd, name), DIR_FLAGS);
      const opened = fstatSync(childFd);
      closeSync(fd);
      fd = childFd;
      if (opened.ino !== child.ino || opened.dev !== child.dev) {
        out.unsafe = `${next} changed while it was being checked`;
        return out;
      }
      st = opened;
      cur = next;
      if ((st.mode & 0o001) === 0) out.traversableByOthers = false;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

export interface EnsureDirOptions {
  /** Mode and owner of the final directory, applied only when this call creates it. */
  mode: number;
  uid?: number;
  gid?: number;
  /** Mode of missing directories above it (created root-owned). */
  parentMode: number;
  /** What the error names (a config key or profile field) and how to fix it. */
  field?: string;
  file?: string;
  fix?: string;
}

export interface EnsuredDir {
  /** True when this call created the final directory (and so set its mode and owner). */
  created: boolean;
  stat: Stats;
}

function refuse(path: string, why: string, opts: Pick<EnsureDirOptions, 'field' | 'file' | 'fix'>): OpenclawError {
  return new OpenclawError('host', `${path} is not safe for the shim to use as root: ${why}, so another user could replace it with a symlink or another directory`, {
    file: opts.file,
    field: opts.field,
    fix: opts.fix ?? 'use a directory whose every parent is owned by root and writable by nobody else (no symlinks on the way)',
  });
}

/**
 * Makes sure `path` is a directory reached without symlinks through directories only root
 * can change, creating what is missing. Only a directory this call creates gets `mode` and
 * owner (set through its fd, never by path): an existing one is never chowned or chmodded.
 * The final directory, if created with a non-root owner, must not sit in a directory others
 * may write (it could then be renamed away by its owner).
 */
export function ensureDir(path: string, opts: EnsureDirOptions): EnsuredDir {
  const parts = components(path);
  const full = '/' + parts.join('/');
  let fd = openSync('/', DIR_FLAGS);
  let st = fstatSync(fd);
  let cur = '/';
  let created = false;
  try {
    for (let i = 0; i < parts.length; i++) {
      const name = parts[i]!;
      const next = join2(cur, name);
      const last = i === parts.length - 1;
      const wantUid = last ? opts.uid ?? 0 : 0;
      const wantGid = last ? opts.gid ?? 0 : 0;
      created = false;
      // Nothing is created (or trusted) in a directory whose entries others could replace.
      const parentWhy = replaceable(cur, st, next, undefined);
      if (parentWhy) throw refuse(full, parentWhy, opts);
      const opened = makeAndOpenDir(fd, name, 0o700, (what, err) => refuse(full, what ? `${next} is ${what}` : (err as Error).message, opts));
      created = opened.created;
      const childFd = opened.childFd;
      const child = fstatSync(childFd);
      if (created) {
        if (child.uid !== 0) {
          closeSync(childFd);
          throw refuse(full, `${next} appeared owned by uid ${child.uid} while it was being created`, opts);
        }
        // Refuse before handing a new directory to a non-root owner in a shared directory.
        if (wantUid !== 0 && writableByOthers(st)) {
          closeSync(childFd);
          throw refuse(full, `it would be owned by uid ${wantUid} inside ${cur}, which other users may write (mode ${mode(st)})`, opts);
        }
        fchmodSync(childFd, last ? opts.mode : opts.parentMode);
        if (wantUid !== 0 || wantGid !== 0) fchownSync(childFd, wantUid, wantGid);
      } else {
        const why = replaceable(cur, st, next, child);
        if (why) {
          closeSync(childFd);
          throw refuse(full, why, opts);
        }
      }
      closeSync(fd);
      fd = childFd;
      st = fstatSync(fd);
      cur = next;
    }
    return { created, stat: st };
  } finally {
    closeSync(fd);
  }
}

/**
 * Creates the directories of `relPath` below `rootFd` (a rootfs: untrusted content, so no
 * ownership rules, but no symlinks either: an image's /input -> /etc must not make us create
 * host directories). Returns nothing; throws `which` (the offending prefix) on a symlink or a
 * non-directory.
 */
export function mkdirBeneath(root: string, relPath: string, mode = 0o755, opts: { file?: boolean } = {}): void {
  const rootInfo = inspectPath(root);
  if (rootInfo.unsafe) throw refuse(root, rootInfo.unsafe, {});
  let fd = openSync(rootInfo.path, DIR_FLAGS);
  let shown = '';
  try {
    const names = relPath.split('/').filter((p) => p && p !== '.');
    for (const [i, name] of names.entries()) {
      shown += '/' + name;
      if (name === '..') throw new BeneathError(shown, 'a ".." component');
      if (opts.file && i === names.length - 1) {
        // A file mount point: created empty, O_EXCL|O_NOFOLLOW (never through a planted symlink);
        // an existing regular file will do.
        try {
          closeSync(openSync(fdPath(fd, name), constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | constants.O_NOFOLLOW, 0o644));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
          const st = lstatSync(fdPath(fd, name));
          if (!st.isFile()) throw new BeneathError(shown, st.isSymbolicLink() ? 'a symlink' : 'not a regular file');
        }
        return;
      }
      const { childFd } = makeAndOpenDir(fd, name, mode, (what, err) => (what ? new BeneathError(shown, what) : (err as Error)));
      closeSync(fd);
      fd = childFd;
    }
  } finally {
    closeSync(fd);
  }
}

export class BeneathError extends Error {
  constructor(readonly prefix: string, readonly what: string) {
    super(`${prefix} is ${what}`);
  }
}

/** Throws an OpenclawError naming `field` unless `path` (existing or not) resolves safely. */
export function assertSafePath(path: string, details: { field?: string; file?: string; fix?: string } = {}): PathInspection {
  const info = inspectPath(path);
  if (info.unsafe) throw refuse(info.path, info.unsafe, details);
  return info;
}

/** Why the existing `real` (no symlinks) is not owned by root and closed to others, or undefined. */
function ownRootOnly(real: string): string | undefined {
  const i = inspectPath(real);
  if (i.unsafe !== undefined) return i.unsafe;
  if (!i.exists || i.stat === undefined) return `${real} does not exist`;
  if (i.stat.uid !== 0) return `${real} is owned by uid ${i.stat.uid}, not root`;
  if ((i.stat.mode & 0o022) !== 0) return `${real} is writable by ${i.stat.mode & 0o002 ? 'everyone' : 'its group'} (mode ${(i.stat.mode & 0o7777).toString(8)})`;
  return undefined;
}

/**
 * Why `path` is not a path only root can change, or undefined when it is: inspectPath's rule
 * for every directory on the way, and the path itself root's and not group- or other-writable
 * (a directory others could add files to is theirs). For paths the admin names (CDI spec
 * dirs, hook executables) rather than ones the shim acts on: those may run through root's
 * symlinks (Debian's /var/run -> /run), so a symlink on the way is accepted when root owns it
 * and its directory is root-only, and the path it leads to is then held to the same rule.
 */
export function whyNotRootOnly(path: string): string | undefined {
  for (let p = path; p !== dirname(p); p = dirname(p)) {
    let st: Stats;
    try {
      st = lstatSync(p);
    } catch {
      continue;
    }
    if (!st.isSymbolicLink()) continue;
    if (st.uid !== 0) return `${p} is a symlink owned by uid ${st.uid}`;
    let parent: string;
    try {
      parent = realpathSync(dirname(p));
    } catch (e) {
      return `${dirname(p)} cannot be resolved (${(e as NodeJS.ErrnoException).code ?? String(e)})`;
    }
    const why = ownRootOnly(parent);
    if (why !== undefined) return `the symlink ${p} could be replaced: ${why}`;
  }
  let real: string;
  try {
    real = realpathSync(path);
  } catch (e) {
    return `cannot resolve it (${(e as NodeJS.ErrnoException).code ?? String(e)})`;
  }
  return ownRootOnly(real);
}
