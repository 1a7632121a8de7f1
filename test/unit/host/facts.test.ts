/**
 * The host facts the spec checks rely on, read from real files: who can change a hook's
 * executable (and every directory above it), what process is behind /proc/<pid>/exe, and
 * whether a cgroup is already in use. Needs root (chown to other users).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cgroupFacts, executableFacts, rootOnlyPath } from '../../../shim/host/facts.js';

const isRoot = process.getuid?.() === 0;
if (!isRoot) console.warn('SKIP host facts: needs root to chown test files to another user');

const base = mkdtempSync(join(tmpdir(), `openclaw-facts-${process.pid}-`));
chmodSync(base, 0o755);
afterAll(() => rmSync(base, { recursive: true, force: true }));

function file(rel: string, mode = 0o755, uid = 0): string {
  const p = join(base, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, '#!/bin/sh\n');
  chmodSync(p, mode);
  chownSync(p, uid, 0);
  return p;
}
function dir(rel: string, mode: number, uid = 0): string {
  const p = join(base, rel);
  mkdirSync(p, { recursive: true });
  chmodSync(p, mode);
  chownSync(p, uid, 0);
  return p;
}

describe.skipIf(!isRoot)('rootOnlyPath', () => {
  it.each([
    { name: 'root file 0755 in root dirs (under sticky /tmp)', make: () => (dir('ok', 0o755), file('ok/hook')), want: true },
    { name: 'group-writable file', make: () => (dir('gw', 0o755), file('gw/hook', 0o775)), want: false },
    { name: 'file owned by a user', make: () => (dir('uf', 0o755), file('uf/hook', 0o755, 1000)), want: false },
    { name: 'root file in a world-writable (not sticky) dir', make: () => (dir('ww', 0o777), file('ww/hook')), want: false },
    // A file gets no sticky exception (host/safe-path.ts): a user may have made it, as a hard link to any root file, before the admin named it.
    { name: 'root file in a root sticky world-writable dir', make: () => (dir('st', 0o1777), file('st/hook')), want: false },
    { name: 'root file in a dir owned by a user', make: () => (dir('ud', 0o755, 1000), file('ud/hook')), want: false },
    {
      name: 'root link in a user dir to a root file',
      make: () => {
        const target = (dir('lt', 0o755), file('lt/hook'));
        dir('ul', 0o755, 1000);
        symlinkSync(target, join(base, 'ul/link'));
        return join(base, 'ul/link');
      },
      want: false,
    },
    {
      name: 'root link in a root dir to a file in a user dir',
      make: () => {
        dir('ut', 0o755, 1000);
        const target = file('ut/hook');
        dir('rl', 0o755);
        symlinkSync(target, join(base, 'rl/link'));
        return join(base, 'rl/link');
      },
      want: false,
    },
    { name: 'missing', make: () => join(base, 'nope'), want: false },
    { name: 'relative', make: () => 'bin/sh', want: false },
    { name: 'a directory', make: () => dir('adir', 0o755), want: false },
  ])('$name -> $want', ({ make, want }) => {
    expect(rootOnlyPath(make())).toBe(want);
  });
  it('a root directory when asked for one', () => {
    expect(rootOnlyPath(dir('execroot', 0o700), true)).toBe(true);
    expect(rootOnlyPath(dir('execroot-user', 0o700, 1000), true)).toBe(false);
  });
});

function started(cmd: string, args: string[], opts: { uid?: number } = {}): Promise<ReturnType<typeof spawn>> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: 'ignore', ...opts });
    child.once('spawn', () => resolve(child));
    child.once('error', reject);
  });
}

describe.skipIf(!isRoot)('executableFacts', () => {
  it('a plain path: its real path and whether only root can change it', () => {
    const p = (dir('plain', 0o755), file('plain/nvidia-container-runtime-hook'));
    expect(executableFacts(p)).toEqual({ realPath: realpathSync(p), rootOnly: true });
  });
  it('/proc/<pid>/exe of a root process: the binary it runs', async () => {
    const bin = (dir('procbin', 0o755), join(base, 'procbin/dockerd'));
    copyFileSync('/bin/sleep', bin);
    chmodSync(bin, 0o755);
    const child = await started(bin, ['30']);
    try {
      expect(executableFacts(`/proc/${child.pid}/exe`)).toEqual({ realPath: bin, processIsRoot: true, rootOnly: true });
      // Upgraded while running: the file is gone, the process still runs the root inode.
      unlinkSync(bin);
      expect(executableFacts(`/proc/${child.pid}/exe`)).toEqual({ realPath: bin, processIsRoot: true, rootOnly: true });
    } finally {
      child.kill('SIGKILL');
    }
  });
  it('/proc/<pid>/exe of a process running as a user', async () => {
    const child = await started('/bin/sleep', ['30'], { uid: 65534 });
    try {
      const f = executableFacts(`/proc/${child.pid}/exe`);
      expect(f.processIsRoot).toBe(false);
      expect(f.realPath).toBe(realpathSync('/bin/sleep'));
    } finally {
      child.kill('SIGKILL');
    }
  });
  it('/proc/<pid>/exe of a binary others can write', async () => {
    const bin = (dir('procw', 0o755), join(base, 'procw/dockerd'));
    copyFileSync('/bin/sleep', bin);
    chmodSync(bin, 0o757);
    const child = await started(bin, ['30']);
    try {
      expect(executableFacts(`/proc/${child.pid}/exe`).rootOnly).toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
  });
  it('/proc/<pid>/exe of no process', () => {
    expect(executableFacts('/proc/999999999/exe')).toEqual({ rootOnly: false, processIsRoot: false });
  });
});

describe('cgroupFacts (a fake v1 hierarchy)', () => {
  const cg = mkdtempSync(join(tmpdir(), `openclaw-cgroup-${process.pid}-`));
  afterAll(() => rmSync(cg, { recursive: true, force: true }));
  mkdirSync(join(cg, 'memory/docker/busy'), { recursive: true });
  writeFileSync(join(cg, 'memory/docker/busy/cgroup.procs'), '1234\n');
  writeFileSync(join(cg, 'memory/docker/cgroup.procs'), '');
  mkdirSync(join(cg, 'pids/docker/empty'), { recursive: true });
  writeFileSync(join(cg, 'pids/docker/empty/cgroup.procs'), '');
  it.each([
    { path: '/docker/new', want: { occupied: false, hasChildren: false } },
    { path: '/docker/empty', want: { occupied: false, hasChildren: false } },
    { path: '/docker/busy', want: { occupied: true, hasChildren: false } },
    { path: '/docker', want: { occupied: false, hasChildren: true } },
  ])('$path', ({ path, want }) => {
    expect(cgroupFacts(path, cg)).toEqual(want);
  });
});
