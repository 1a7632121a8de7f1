/**
 * host/safe-path.ts on a real filesystem: what another local user (uid 1000, by chown) could
 * swap is refused, what only root can change is accepted, and ensureDir never follows a
 * symlink nor chowns or chmods a directory it did not create.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, chownSync, lchownSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDir, inspectPath, mkdirBeneath } from '../../../shim/host/safe-path.js';

const isRoot = process.getuid?.() === 0;
if (!isRoot) console.warn('SKIP unit/host/safe-path: needs root (chown to another uid)');
const USER = 1000;

const dirs: string[] = [];
function base(): string {
  const d = mkdtempSync(join(tmpdir(), 'openclaw-safe-path-'));
  chmodSync(d, 0o755);
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function dir(path: string, mode = 0o755, uid = 0, gid = 0): string {
  mkdirSync(path, { recursive: true });
  chmodSync(path, mode);
  chownSync(path, uid, gid);
  return path;
}

/** Each case builds a tree under `b` and returns the path to inspect. */
const CASES: Array<{ name: string; build: (b: string) => string; unsafe?: RegExp; exists: boolean; shared?: boolean }> = [
  { name: 'root-owned directories all the way', build: (b) => dir(join(b, 'srv', 'data')), exists: true },
  { name: 'a missing path below root-only directories', build: (b) => join(dir(join(b, 'srv')), 'new', 'dir'), exists: false },
  { name: 'the path itself a symlink', build: (b) => (symlinkSync(dir(join(b, 'target')), join(b, 'link')), join(b, 'link')), unsafe: /\/link is a symlink$/, exists: false },
  { name: 'a symlink on the way', build: (b) => (symlinkSync(dir(join(b, 'target')), join(b, 'link')), join(b, 'link', 'x')), unsafe: /\/link is a symlink$/, exists: false },
  { name: 'a dangling symlink', build: (b) => (symlinkSync('/nonexistent', join(b, 'link')), join(b, 'link')), unsafe: /is a symlink/, exists: false },
  { name: 'a directory on the way owned by a user', build: (b) => join(dir(join(b, 'u'), 0o755, USER, USER), 'out'), unsafe: /\/u is owned by uid 1000, not root/, exists: false },
  { name: 'a directory owned by a user in a root-owned directory (its contents are theirs, its name is not)', build: (b) => dir(join(b, 'home'), 0o755, USER, USER), exists: true },
  { name: 'a world-writable directory without the sticky bit', build: (b) => dir(join(dir(join(b, 'pub'), 0o777), 'x')), unsafe: /\/pub is writable by all users \(mode 0777\)/, exists: true },
  { name: 'a directory writable by a non-root group', build: (b) => dir(join(dir(join(b, 'grp'), 0o775, 0, USER), 'x')), unsafe: /\/grp is writable by group 1000/, exists: true },
  { name: 'a directory writable by root\'s group', build: (b) => dir(join(dir(join(b, 'grp0'), 0o775, 0, 0), 'x')), exists: true },
  { name: 'a root-owned directory in a sticky world-writable one (/tmp)', build: (b) => dir(join(dir(join(b, 'tmp'), 0o1777), 'job')), exists: true },
  { name: 'a user\'s directory in a sticky world-writable one', build: (b) => dir(join(dir(join(b, 'tmp'), 0o1777), 'out'), 0o755, USER, USER), unsafe: /\/tmp is writable by all users \(mode 1777\), and .*\/out is owned by uid 1000/, exists: true },
  { name: 'a root-owned file in a sticky world-writable one (a user may have hard-linked it there)', build: (b) => { const t = dir(join(b, 'tmp'), 0o1777); writeFileSync(join(t, 'f'), ''); return join(t, 'f'); }, unsafe: /and .*\/f is not a directory/, exists: true },
  { name: 'a missing path in a sticky world-writable directory', build: (b) => join(dir(join(b, 'tmp'), 0o1777), 'new'), exists: false, shared: true },
  { name: 'a missing path in a user\'s directory', build: (b) => join(dir(join(b, 'u'), 0o755, USER, USER), 'new'), unsafe: /owned by uid 1000/, exists: false },
  { name: 'a path through a regular file', build: (b) => (writeFileSync(join(b, 'f'), ''), join(b, 'f', 'x')), unsafe: /\/f is not a directory/, exists: false },
];

describe.skipIf(!isRoot)('inspectPath: what another user could replace', () => {
  it.each(CASES)('$name', ({ build, unsafe, exists, shared }) => {
    const path = build(base());
    const info = inspectPath(path);
    if (unsafe) expect(info.unsafe).toMatch(unsafe);
    else expect(info.unsafe).toBeUndefined();
    if (!unsafe) expect(info.exists).toBe(exists);
    expect(info.missingUnderSharedDir !== undefined).toBe(shared ?? false);
  });

  it('reports whether others may search every directory on the way', () => {
    const b = base();
    expect(inspectPath(dir(join(b, 'a', 'b'))).traversableByOthers).toBe(true);
    expect(inspectPath(join(dir(join(b, 'closed'), 0o700), 'x')).traversableByOthers).toBe(false);
  });
});

describe.skipIf(!isRoot)('ensureDir: creates without following symlinks, owns only what it creates', () => {
  it('creates the missing chain: parents root-owned with parentMode, the last with its mode and owner', () => {
    const b = base();
    const path = join(b, 'jobs', 'c1', 'output');
    const made = ensureDir(path, { mode: 0o700, uid: 100000, gid: 100000, parentMode: 0o711 });
    expect(made.created).toBe(true);
    expect(statSync(join(b, 'jobs')).mode & 0o7777).toBe(0o711);
    expect(statSync(join(b, 'jobs')).uid).toBe(0);
    const st = statSync(path);
    expect([st.uid, st.gid, st.mode & 0o7777]).toEqual([100000, 100000, 0o700]);
  });

  it('leaves an existing directory exactly as it is (no chown, no chmod)', () => {
    const b = base();
    const path = dir(join(b, 'out'), 0o750, 0, 0);
    const made = ensureDir(path, { mode: 0o700, uid: 100000, gid: 100000, parentMode: 0o711 });
    expect(made.created).toBe(false);
    const st = statSync(path);
    expect([st.uid, st.gid, st.mode & 0o7777]).toEqual([0, 0, 0o750]);
  });

  it('refuses a symlink planted by a user and leaves its root-owned target untouched', () => {
    const b = base();
    const target = dir(join(b, 'root-only'), 0o755);
    const tmp = dir(join(b, 'tmp'), 0o1777);
    symlinkSync(target, join(tmp, 'output'));
    lchownSync(join(tmp, 'output'), USER, USER);
    expect(() => ensureDir(join(tmp, 'output'), { mode: 0o700, uid: 100000, gid: 100000, parentMode: 0o711 })).toThrow(/is not safe for the shim to use as root: .*\/output is a symlink/);
    const st = statSync(target);
    expect([st.uid, st.mode & 0o7777]).toEqual([0, 0o755]);
  });

  it('refuses to create a directory for another owner inside a directory other users may write', () => {
    const b = base();
    const tmp = dir(join(b, 'tmp'), 0o1777);
    expect(() => ensureDir(join(tmp, 'out'), { mode: 0o700, uid: 100000, gid: 100000, parentMode: 0o711 })).toThrow(/would be owned by uid 100000 inside .*other users may write/);
    // root's own may be created there (it cannot be renamed away by others).
    expect(ensureDir(join(tmp, 'in'), { mode: 0o755, parentMode: 0o755 }).created).toBe(true);
  });

  it('refuses a path below a user-owned directory, even to create it', () => {
    const b = base();
    const u = dir(join(b, 'u'), 0o755, USER, USER);
    expect(() => ensureDir(join(u, 'x'), { mode: 0o755, parentMode: 0o755, field: 'state.dir' })).toThrow(/state\.dir: .*owned by uid 1000/);
    expect(existsSync(join(u, 'x'))).toBe(false);
  });
});

describe.skipIf(!isRoot)('mkdirBeneath: mount points inside an untrusted rootfs', () => {
  it('creates nested directories and refuses a symlink in the image', () => {
    const b = base();
    const rootfs = dir(join(b, 'rootfs'));
    mkdirBeneath(rootfs, '/data/in');
    expect(statSync(join(rootfs, 'data', 'in')).isDirectory()).toBe(true);
    const outside = dir(join(b, 'outside'));
    symlinkSync(outside, join(rootfs, 'evil'));
    expect(() => mkdirBeneath(rootfs, '/evil/x')).toThrow(/\/evil is a symlink/);
    expect(existsSync(join(outside, 'x'))).toBe(false);
  });
});
