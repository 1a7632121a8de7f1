/**
 * open-as.ts against the real kernel (no containers): the agent's open is the task's open
 * (permissions, owner of a created file, capabilities), never waits (FIFO, socket, lease),
 * is byte-exact, and leaves the agent thread's own credentials as they were. Needs root and
 * the addon.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, closeSync, existsSync, fstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadNative } from '../../../shim/agent/native.js';
import { ADDON_PATH } from '../../../shim/package.js';
import { openAsTask, type OpenOutcome } from '../../../shim/agent/open-as.js';
import { bytesToBinary, type TaskCreds } from '../../../shim/agent/proc.js';

const skip = process.getuid?.() !== 0 ? 'not root' : !existsSync(ADDON_PATH) ? 'addon not built (scripts/build-addon.sh)' : undefined;
if (skip) console.log(`skipping open-as tests: ${skip}`);

const ALL_CAPS = (1n << 41n) - 1n;
const EPERM = 1;
const O_WRONLY = 1;
const O_RDWR = 2;
const O_CREAT = 0o100;
const O_EXCL = 0o200;
const O_TRUNC = 0o1000;
const O_NONBLOCK = 0o4000;
const O_DIRECTORY = 0o200000;
const O_TMPFILE = 0o20000000 | O_DIRECTORY;

const user = (uid: number, extra: Partial<TaskCreds> = {}): TaskCreds => ({ umask: 0o022, fsuid: uid, fsgid: uid, groups: [], capEffective: ALL_CAPS, ...extra });
/** Root without a user namespace, with runc's default capabilities (no CAP_DAC_OVERRIDE). */
const runcRoot = user(0, { capEffective: (1n << 5n) | (1n << 10n) | (1n << 29n) });

describe.skipIf(skip)('openAsTask', () => {
  const dir = mkdtempSync(join(tmpdir(), `openclaw-openas-${process.pid}-`));
  let rootFd = -1;
  let leaseHolder: ChildProcess | undefined;
  let sockServer: Server | undefined;
  const N = skip ? undefined : loadNative();

  const open = (path: string | Buffer, flags: number, task: TaskCreds, opts: { mode?: number; deviceAllowed?: boolean } = {}): OpenOutcome =>
    openAsTask(N!, rootFd, { path: typeof path === 'string' ? bytesToBinary(Buffer.from(path)) : bytesToBinary(path), flags, mode: opts.mode ?? 0o666, deviceAllowed: opts.deviceAllowed ?? false }, task, EPERM);
  const closeOk = (o: OpenOutcome): void => {
    if (o.ok) closeSync(o.fd);
  };

  beforeAll(async () => {
    chmodSync(dir, 0o755);
    mkdirSync(join(dir, 'out'), { mode: 0o755 });
    mkdirSync(join(dir, 'out', 'u1000'));
    chownSync(join(dir, 'out', 'u1000'), 1000, 1000);
    writeFileSync(join(dir, 'out', 'secret'), 'root only');
    chmodSync(join(dir, 'out', 'secret'), 0o600);
    writeFileSync(join(dir, 'out', 'other'), 'user 1234 only');
    chownSync(join(dir, 'out', 'other'), 1234, 1234);
    chmodSync(join(dir, 'out', 'other'), 0o600);
    writeFileSync(join(dir, 'out', 'shared'), '');
    chmodSync(join(dir, 'out', 'shared'), 0o666);
    writeFileSync(join(dir, 'out', 'leased'), 'x');
    spawnSyncOk('mkfifo', [join(dir, 'out', 'fifo')]);
    spawnSyncOk('mknod', [join(dir, 'out', 'null'), 'c', '1', '3']);
    sockServer = createServer();
    await new Promise<void>((r) => sockServer!.listen(join(dir, 'out', 'sock'), r));
    const C = N!.fileConstants;
    rootFd = N!.openat2(C.AT_FDCWD, dir, C.O_PATH | C.O_DIRECTORY, 0, 0);
    // A read lease held by another process that ignores SIGIO: an open for writing that
    // waited would wait lease-break-time (45 s by default).
    leaseHolder = spawn('python3', ['-c', `import fcntl,os,signal,sys,time
signal.signal(signal.SIGIO, signal.SIG_IGN)
fd=os.open(${JSON.stringify(join(dir, 'out', 'leased'))}, os.O_RDONLY)
fcntl.fcntl(fd, 1024, fcntl.F_RDLCK)
print('held', flush=True)
sys.stdin.read()`], { stdio: ['pipe', 'pipe', 'inherit'] });
    await new Promise<void>((r) => leaseHolder!.stdout!.once('data', () => r()));
  });

  afterAll(() => {
    leaseHolder?.kill('SIGKILL');
    sockServer?.close();
    if (rootFd >= 0) closeSync(rootFd);
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    { name: 'a 0600 root file, for uid 1000', path: '/out/secret', flags: O_WRONLY, task: user(1000), want: { ok: false, errno: 13 } },
    { name: 'a 0600 root file, for root with runc default capabilities', path: '/out/secret', flags: O_WRONLY, task: runcRoot, want: { ok: true } },
    { name: "another user's 0600 file, for root without CAP_DAC_OVERRIDE", path: '/out/other', flags: O_RDWR, task: runcRoot, want: { ok: false, errno: 13 } },
    { name: "another user's 0600 file, for root with CAP_DAC_OVERRIDE (as the container could)", path: '/out/other', flags: O_RDWR, task: user(0), want: { ok: true } },
    { name: 'a 0666 file, for uid 1000', path: '/out/shared', flags: O_WRONLY | O_TRUNC, task: user(1000), want: { ok: true } },
    { name: 'create in a root 0755 dir, for uid 1000', path: '/out/new-1000', flags: O_WRONLY | O_CREAT, task: user(1000), want: { ok: false, errno: 13 } },
    { name: 'a group member gets a group-writable file', path: '/out/grp', flags: O_WRONLY, task: user(1000, { groups: [4242] }), want: { ok: true } },
    { name: 'the same file, not in the group', path: '/out/grp', flags: O_WRONLY, task: user(1000), want: { ok: false, errno: 13 } },
    { name: 'a FIFO is refused, not waited on', path: '/out/fifo', flags: O_WRONLY, task: user(0), want: { ok: false, errno: EPERM, refused: expect.stringContaining('FIFO') } },
    { name: 'a FIFO with O_CREAT too', path: '/out/fifo', flags: O_WRONLY | O_CREAT, task: user(0), want: { ok: false, errno: EPERM, refused: expect.stringContaining('FIFO') } },
    { name: 'a socket is refused', path: '/out/sock', flags: O_RDWR, task: user(0), want: { ok: false, errno: EPERM, refused: expect.stringContaining('socket') } },
    { name: 'a device the profile does not list is refused', path: '/out/null', flags: O_WRONLY, task: user(0), want: { ok: false, errno: EPERM, refused: expect.stringContaining('device') } },
    { name: 'a leased file answers EWOULDBLOCK at once', path: '/out/leased', flags: O_WRONLY, task: user(0), want: { ok: false, errno: 11, refused: expect.stringContaining('lease') } },
    { name: 'O_EXCL on an existing file', path: '/out/shared', flags: O_WRONLY | O_CREAT | O_EXCL, task: user(0), want: { ok: false, errno: 17 } },
    { name: 'O_CREAT on a directory', path: '/out/u1000', flags: O_WRONLY | O_CREAT, task: user(0), want: { ok: false, errno: 21 } },
  ])('$name', ({ path, flags, task, want }) => {
    if (path === '/out/grp' && !existsSync(join(dir, 'out', 'grp'))) {
      writeFileSync(join(dir, 'out', 'grp'), '');
      chownSync(join(dir, 'out', 'grp'), 0, 4242);
      chmodSync(join(dir, 'out', 'grp'), 0o660);
    }
    const before = N!.threadCreds();
    const got = open(path, flags, task);
    closeOk(got);
    expect(got).toMatchObject(want);
    expect(N!.threadCreds()).toEqual(before);
  });

  it('a listed device opens (with its flags as asked)', () => {
    const o = open('/out/null', O_WRONLY, user(0), { deviceAllowed: true });
    expect(o.ok).toBe(true);
    if (o.ok) {
      expect(N!.fcntlGetfl(o.fd) & O_NONBLOCK).toBe(0);
      closeSync(o.fd);
    }
  });

  it('a created file belongs to the task, with its mode less its umask; O_NONBLOCK only when asked', () => {
    const a = open('/out/u1000/made', O_WRONLY | O_CREAT, user(1000, { umask: 0o027 }), { mode: 0o666 });
    const b = open('/out/u1000/made-nb', O_WRONLY | O_CREAT | O_NONBLOCK, user(1000));
    expect(a.ok && b.ok).toBe(true);
    if (!a.ok || !b.ok) return;
    expect(N!.fcntlGetfl(a.fd) & O_NONBLOCK).toBe(0);
    expect(N!.fcntlGetfl(b.fd) & O_NONBLOCK).toBe(O_NONBLOCK);
    const st = fstatSync(a.fd);
    expect({ uid: st.uid, gid: st.gid, mode: st.mode & 0o7777 }).toEqual({ uid: 1000, gid: 1000, mode: 0o640 });
    closeSync(a.fd);
    closeSync(b.fd);
  });

  it('O_TMPFILE creates an unnamed file owned by the task', () => {
    const o = open('/out/u1000', O_RDWR | O_TMPFILE, user(1000));
    expect(o.ok).toBe(true);
    if (o.ok) {
      const st = fstatSync(o.fd);
      expect([st.isFile(), st.uid]).toEqual([true, 1000]);
      closeSync(o.fd);
    }
  });

  it('a name that is not UTF-8 is created byte for byte', () => {
    const name = Buffer.concat([Buffer.from('/out/u1000/'), Buffer.from([0x66, 0xff, 0xfe, 0x80, 0x2e, 0x74])]);
    const o = open(name, O_WRONLY | O_CREAT | O_EXCL, user(1000));
    closeOk(o);
    expect(o.ok).toBe(true);
    const names = readdirSync(join(dir, 'out', 'u1000'), { encoding: 'buffer' });
    expect(names.some((n) => n.equals(Buffer.from([0x66, 0xff, 0xfe, 0x80, 0x2e, 0x74])))).toBe(true);
    // The lossy UTF-8 reading of those bytes was not created instead.
    expect(names.some((n) => n.toString('utf8') === name.subarray(11).toString('utf8') && !n.equals(name.subarray(11)))).toBe(false);
  });

  it('a symlink anywhere is refused (ELOOP), also for O_CREAT', () => {
    spawnSyncOk('ln', ['-s', '/etc/passwd', join(dir, 'out', 'link')]);
    expect(open('/out/link', O_WRONLY, user(0))).toMatchObject({ ok: false, errno: 40 });
    expect(open('/out/link', O_WRONLY | O_CREAT, user(0))).toMatchObject({ ok: false, errno: 40 });
    expect(statSync('/etc/passwd').size).toBeGreaterThan(0);
  });
});

function spawnSyncOk(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
}
