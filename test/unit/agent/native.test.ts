/**
 * The addon's wrappers against the real kernel (no containers): fd passing, the poller,
 * openat2 confinement, flock. Skipped when the addon is not built.
 */
import { existsSync, mkdtempSync, mkdirSync, openSync, closeSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { isNativeError, loadNative, NATIVE_CONSTANTS, NATIVE_EXPORTS } from '../../../shim/agent/native.js';
import { ADDON_PATH } from '../../../shim/package.js';

const built = existsSync(ADDON_PATH);
if (!built) console.log('skipping addon tests: run scripts/build-addon.sh');

describe.skipIf(!built)('native addon', () => {
  const dir = mkdtempSync(join(tmpdir(), 'openclaw-native-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exports exactly the names native.ts declares (functions, Poller, constants by group)', () => {
    const N = loadNative() as unknown as Record<string, unknown>;
    expect(Object.keys(N).sort()).toEqual(Object.keys(NATIVE_EXPORTS).sort());
    for (const [group, names] of Object.entries(NATIVE_CONSTANTS)) {
      const values = N[group] as Record<string, unknown>;
      expect(Object.keys(values).sort(), group).toEqual([...names].sort());
      expect(Object.values(values).every((v) => Number.isInteger(v)), group).toBe(true);
    }
  });

  it('accepts and receives an fd passed with SCM_RIGHTS, driven by Poller (sender keeps its end open, like runc)', async () => {
    const N = loadNative();
    const sock = join(dir, 's.sock');
    const file = join(dir, 'passed.txt');
    writeFileSync(file, 'x');
    const lfd = N.listenUnix(sock, 4);
    const got = new Promise<{ text: string; target: string; uid: number }>((resolve) => {
      const lp = new N.Poller(lfd, () => {
        const c = N.acceptConn(lfd);
        if (c === null) return;
        lp.stop();
        const uid = N.peerCred(c).uid;
        const cp = new N.Poller(c, () => {
          const m = N.recvWithFds(c, 1024, 2);
          if (m === null) return;
          cp.stop();
          N.closeFd(c);
          const fd = m.fds[0] ?? -1;
          const target = fd >= 0 ? readlinkSync(`/proc/self/fd/${fd}`) : '';
          if (fd >= 0) N.closeFd(fd);
          resolve({ text: m.data.toString(), target, uid });
        });
      });
    });
    const sender = spawn('python3', ['-c', `import socket,os,time
s=socket.socket(socket.AF_UNIX); s.connect(${JSON.stringify(sock)})
socket.send_fds(s,[b'{"fds":["seccompFd"]}'],[os.open(${JSON.stringify(file)},os.O_RDONLY)])
time.sleep(2)`]);
    const r = await got;
    sender.kill();
    N.closeFd(lfd);
    expect(r).toEqual({ text: '{"fds":["seccompFd"]}', target: file, uid: process.getuid?.() });
  });

  it('Poller pause() holds callbacks of a readable fd across loop turns; resume() brings them back', async () => {
    const N = loadNative();
    const sock = join(dir, 'p.sock');
    const lfd = N.listenUnix(sock, 4);
    const client = connect(sock);
    await new Promise<void>((r) => client.once('connect', () => r()));
    let cfd: number | null = null;
    while (cfd === null) {
      cfd = N.acceptConn(lfd);
      if (cfd === null) await new Promise((r) => setImmediate(r));
    }
    client.write('x'); // readable from now on, and it stays readable: nobody reads it
    let calls = 0;
    const turn = () => new Promise((r) => setTimeout(r, 0));
    const p = new N.Poller(cfd, () => {
      calls++;
      p.pause();
    });
    while (calls === 0) await turn();
    // Level-triggered: without the pause, every loop turn would call back again.
    for (let i = 0; i < 20; i++) await turn();
    expect(calls).toBe(1);
    p.resume();
    while (calls === 1) await turn();
    expect(calls).toBe(2);
    p.stop();
    p.resume(); // no effect once stopped
    for (let i = 0; i < 5; i++) await turn();
    expect(calls).toBe(2);
    client.destroy();
    N.closeFd(cfd);
    N.closeFd(lfd);
  });

  it('openat2 RESOLVE_IN_ROOT keeps lookups inside the root and refuses symlinks', () => {
    const N = loadNative();
    const C = N.fileConstants;
    const root = join(dir, 'root');
    mkdirSync(join(root, 'output'), { recursive: true });
    symlinkSync('/etc/passwd', join(root, 'output', 'link'));
    const rootFd = N.openat2(C.AT_FDCWD, root, C.O_PATH | C.O_DIRECTORY, 0, 0);
    const resolve = C.RESOLVE_IN_ROOT | C.RESOLVE_NO_SYMLINKS | C.RESOLVE_NO_MAGICLINKS;
    const fd = N.openat2(rootFd, '/output/new.txt', 0o1 | C.O_CREAT, 0o600, resolve);
    expect(readlinkSync(`/proc/self/fd/${fd}`)).toBe(join(root, 'output', 'new.txt'));
    closeSync(fd);
    // "/../../etc/passwd" is clamped to the root, where no etc/ exists.
    expect(() => N.openat2(rootFd, '/../../etc/passwd', 0, 0, C.RESOLVE_IN_ROOT)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    let err: unknown;
    try {
      N.openat2(rootFd, '/output/link', 1, 0, resolve);
    } catch (e) {
      err = e;
    }
    expect(isNativeError(err, 'ELOOP')).toBe(true);
    closeSync(rootFd);
  });

  it('flock LOCK_NB fails for a second open file description', () => {
    const N = loadNative();
    const C = N.fileConstants;
    const f = join(dir, 'lock');
    const a = openSync(f, 'a');
    const b = openSync(f, 'a');
    expect(N.flock(a, C.LOCK_EX | C.LOCK_NB)).toBe(true);
    expect(N.flock(b, C.LOCK_EX | C.LOCK_NB)).toBe(false);
    closeSync(a);
    expect(N.flock(b, C.LOCK_EX | C.LOCK_NB)).toBe(true);
    closeSync(b);
  });

  it('reports the kernel notification sizes', () => {
    expect(loadNative().notifSizes()).toMatchObject({ notif: expect.any(Number), resp: expect.any(Number) });
  });

  it('throws errors shaped like Node system errors', () => {
    const N = loadNative();
    let err: unknown;
    try {
      N.notifIdValid(0x7fffffff, 1n);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'EBADF', syscall: 'ioctl(SECCOMP_IOCTL_NOTIF_ID_VALID)' });
  });
});
