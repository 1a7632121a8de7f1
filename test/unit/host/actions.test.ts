import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { creatorOf, DEFAULT_CRUN_ROOT, DEFAULT_RUNC_ROOT, performHostActions, readHostRecord, runtimeStateRoot, sweepStale, undoHostActions } from '../../../shim/host/actions.js';
import type { ProcessRunner } from '../../../shim/util/child-process.js';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'openclaw-actions-'));
  chmodSync(d, 0o711); // the state dir's parents must be searchable (checked by bind-rootfs)
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Records commands; `mountpoint -q` answers "mounted" for paths in `mounted`. */
function fakeRunner(mounted = new Set<string>()) {
  const calls: string[] = [];
  const run: ProcessRunner = async (file, args) => {
    calls.push([file, ...args].join(' '));
    if (file === 'mountpoint') return { exitCode: mounted.has(args[1]!) ? 0 : 1, stdout: '', stderr: '' };
    if (file === 'mount' && args[0] === '--bind') mounted.add(args[2]!);
    if (file === 'umount') mounted.delete(args[1]!);
    return { exitCode: 0, stdout: '', stderr: '' };
  };
  return { run, calls, mounted };
}

describe('host actions', () => {
  it('records first, binds the rootfs, and delete undoes it', async () => {
    const state = join(tmp(), 'state');
    const { run, calls, mounted } = fakeRunner();
    await performHostActions(state, 'c1', '/run/runc', [{ kind: 'bind-rootfs', source: '/b/rootfs', target: join(state, 'rootfs', 'c1') }], run);
    expect(readHostRecord(state, 'c1')?.actions).toHaveLength(1);
    expect(calls).toContain(`mount --bind /b/rootfs ${join(state, 'rootfs', 'c1')}`);
    expect(statSync(join(state, 'rootfs')).mode & 0o777).toBe(0o711);
    expect(await undoHostActions(state, 'c1', run)).toBe(true);
    expect(mounted.size).toBe(0);
    expect(readHostRecord(state, 'c1')).toBeUndefined();
    expect(await undoHostActions(state, 'c1', run)).toBe(false);
  });

  it('refuses a state dir below an unsearchable directory', async () => {
    const base = tmp();
    chmodSync(base, 0o700);
    await expect(performHostActions(join(base, 'state'), 'c0', '/run/runc', [{ kind: 'bind-rootfs', source: '/x', target: join(base, 'state', 'rootfs', 'c0') }], fakeRunner().run)).rejects.toThrow(/state\.dir: the container's mapped ids cannot search the state directory/);
  });

  it('a failing mount is a clear error and leaves no record behind', async () => {
    const state = join(tmp(), 'state');
    const run: ProcessRunner = async (file) => ({ exitCode: file === 'mount' ? 32 : 1, stdout: '', stderr: file === 'mount' ? 'mount: permission denied' : '' });
    await expect(performHostActions(state, 'c2', '/run/runc', [{ kind: 'bind-rootfs', source: '/x', target: join(state, 'rootfs', 'c2') }], run)).rejects.toThrow(/bind-mounting the rootfs \/x .*permission denied/);
    expect(readHostRecord(state, 'c2')).toBeUndefined();
  });

  it('creates missing mount points inside the rootfs, refusing symlinks from the image', async () => {
    const base = tmp();
    const rootfs = join(base, 'rootfs');
    mkdirSync(rootfs);
    const { run } = fakeRunner();
    await performHostActions(join(base, 'state'), 'c3', '/run/runc', [{ kind: 'mountpoint', rootfs, path: '/data/in' }], run);
    expect(statSync(join(rootfs, 'data', 'in')).isDirectory()).toBe(true);

    const outside = join(base, 'outside');
    mkdirSync(outside);
    symlinkSync(outside, join(rootfs, 'evil'));
    await expect(performHostActions(join(base, 'state'), 'c4', '/run/runc', [{ kind: 'mountpoint', rootfs, path: '/evil/x' }], run)).rejects.toThrow(/\/evil is a symlink in the image/);
    expect(existsSync(join(outside, 'x'))).toBe(false);
  });

  it('creates a missing file mount point as an empty file; never through a symlink from the image', async () => {
    const base = tmp();
    const rootfs = join(base, 'rootfs');
    mkdirSync(join(rootfs, 'etc'), { recursive: true });
    const { run } = fakeRunner();
    await performHostActions(join(base, 'state'), 'f1', '/run/runc', [{ kind: 'mountpoint', rootfs, path: '/etc/resolv.conf', file: true }], run);
    expect(statSync(join(rootfs, 'etc', 'resolv.conf')).isFile()).toBe(true);
    // already there: left alone
    await performHostActions(join(base, 'state'), 'f2', '/run/runc', [{ kind: 'mountpoint', rootfs, path: '/etc/resolv.conf', file: true }], run);
    const outside = join(base, 'outside');
    writeFileSync(outside, 'host file');
    symlinkSync(outside, join(rootfs, 'etc', 'hostname'));
    await expect(performHostActions(join(base, 'state'), 'f3', '/run/runc', [{ kind: 'mountpoint', rootfs, path: '/etc/hostname', file: true }], run)).rejects.toThrow(/\/etc\/hostname is a symlink in the image/);
    expect(readFileSync(outside, 'utf8')).toBe('host file');
  });

  it('the sweep undoes records of containers runc no longer has, and only old ones', async () => {
    const base = tmp();
    const state = join(base, 'state');
    const runcRoot = join(base, 'runc');
    mkdirSync(join(runcRoot, 'alive'), { recursive: true });
    const { run, mounted } = fakeRunner();
    for (const id of ['alive', 'gone', 'young']) {
      await performHostActions(state, id, runcRoot, [{ kind: 'bind-rootfs', source: '/r', target: join(state, 'rootfs', id) }], run);
    }
    const old = new Date(Date.now() - 120_000);
    for (const id of ['alive', 'gone']) utimesSync(join(state, 'containers', `${id}.json`), old, old);
    expect(await sweepStale(state, run)).toEqual(['gone']);
    expect([...mounted].sort()).toEqual([join(state, 'rootfs', 'alive'), join(state, 'rootfs', 'young')]);
  });

  it('the sweep takes a record whose creator has ended and whose container the runtime does not know at once, whatever its age', async () => {
    const base = tmp();
    const state = join(base, 'state');
    const runcRoot = join(base, 'runc');
    mkdirSync(join(runcRoot, 'alive-ended-creator'), { recursive: true });
    const { run } = fakeRunner();
    const me = creatorOf(process.pid)!;
    // The same pid with another start time: the pid was reused, the creator is gone.
    const ended = { pid: process.pid, start: `${me.start}0` };
    const rows = { 'in-flight': me, 'failed-create': ended, 'alive-ended-creator': ended, 'no-creator-young': undefined };
    for (const [id, creator] of Object.entries(rows)) {
      await performHostActions(state, id, runcRoot, [{ kind: 'job', jobsDir: join(base, 'jobs'), id }], run, creator);
    }
    expect(readHostRecord(state, 'in-flight')?.creator).toEqual(me);
    expect(await sweepStale(state, run)).toEqual(['failed-create']);
    expect(['in-flight', 'alive-ended-creator', 'no-creator-young'].every((id) => readHostRecord(state, id))).toBe(true);
  });

  it.each([
    ['/usr/sbin/runc', undefined, DEFAULT_RUNC_ROOT],
    ['/usr/bin/crun', undefined, DEFAULT_CRUN_ROOT],
    ['/usr/bin/crun', '/run/containerd/runc/k8s.io', '/run/containerd/runc/k8s.io'],
    ['/usr/sbin/runc', '/var/run/docker/runtime-runc/moby', '/var/run/docker/runtime-runc/moby'],
  ])('whether %s knows a container is read in its own state root (--root %s): %s', (runtime, root, want) => {
    // A crun container looked up under runc's default root would look gone while it runs.
    expect(runtimeStateRoot(runtime, root)).toBe(want);
  });

  it('the record is written atomically (no temporary file left)', async () => {
    const state = join(tmp(), 'state');
    await performHostActions(state, 'c5', '/run/runc', [{ kind: 'mkdir', path: join(state, '..', 'src'), mode: 0o755, uid: 0, gid: 0, parentMode: 0o755, reuse: 'any' }], fakeRunner().run);
    writeFileSync(join(state, 'marker'), '');
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(join(state, 'containers'))).toEqual(['c5.json']);
  });
});
