/**
 * The seccomp agent under real runc: a busybox-static bundle whose filter notifies execve,
 * execveat, creat and write-class open/openat, pointed at a private agent on a temp socket.
 * Skips (with the reason) when not root or when runc, gcc or busybox-static is missing.
 * Everything started here is stopped by pid / container id in afterAll.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readlinkSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, copyFileSync, writeFileSync, openSync, closeSync, chmodSync, chownSync, statSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RuntimeConfigSchema } from '../../../shim/config/schema.js';
import { canConnect, ensureAgent } from '../../../shim/agent/client.js';
import { formatListenerMetadata } from '../../../shim/agent/metadata.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const BIN = join(ROOT, 'bin/openclaw-runtime');
const BUSYBOX = '/bin/busybox';

function which(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

const skipReason =
  process.getuid?.() !== 0 ? 'not root'
  : !which('runc') ? 'runc missing'
  : !which('gcc') ? 'gcc missing (builds the probe)'
  : !existsSync(BUSYBOX) ? 'busybox-static missing'
  : !existsSync(join(ROOT, 'addon/build/Release/openclaw_agent.node')) ? 'addon not built (scripts/build-addon.sh)'
  : !existsSync(join(ROOT, 'dist/main.js')) ? 'dist/ not built (npm run build)'
  : undefined;
if (skipReason) console.log(`skipping seccomp agent integration tests: ${skipReason}`);

// O_ACCMODE values 1..3, O_CREAT, O_TRUNC, __O_TMPFILE: any one makes an open write-class.
const WRITE_CLASS: Array<[number, number]> = [[3, 1], [3, 2], [3, 3], [0o100, 0o100], [0o1000, 0o1000], [0o20000000, 0o20000000]];

function seccompSection(socket: string) {
  const syscalls: unknown[] = [{ names: ['execve', 'execveat', 'creat'], action: 'SCMP_ACT_NOTIFY' }];
  for (const [name, index] of [['open', 1], ['openat', 2]] as const) {
    for (const [value, valueTwo] of WRITE_CLASS) {
      syscalls.push({ names: [name], action: 'SCMP_ACT_NOTIFY', args: [{ index, value, valueTwo, op: 'SCMP_CMP_MASKED_EQ' }] });
    }
  }
  return {
    defaultAction: 'SCMP_ACT_ALLOW',
    architectures: ['SCMP_ARCH_X86_64'],
    listenerPath: socket,
    listenerMetadata: formatListenerMetadata({ v: 1, profile: 'itest', sha256: 'b'.repeat(64), errno: 1, writable: ['/output', '/dev/null'], writeGated: ['open', 'openat', 'creat'] }),
    syscalls,
  };
}

describe.skipIf(skipReason !== undefined)('seccomp agent with runc', () => {
  let dir = '';
  let socket = '';
  let denialLog = '';
  let runcRoot = '';
  let agent: ChildProcess | undefined;
  let agentStderr = '';
  const containers = new Set<string>();
  const extraAgents: number[] = [];

  const fdCount = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length;

  async function startAgent(): Promise<ChildProcess> {
    const child = spawn(BIN, ['agent', '--socket', socket, '--denial-log', denialLog], { stdio: ['ignore', 'ignore', 'pipe'] });
    agentStderr = '';
    child.stderr?.on('data', (d) => (agentStderr += d));
    for (let i = 0; i < 200 && !(await canConnect(socket, 100)); i++) await new Promise((r) => setTimeout(r, 25));
    return child;
  }

  function bundle(name: string, args: string[], user?: { uid: number; gid: number }): string {
    const b = join(dir, name);
    mkdirSync(b);
    spawnSync('runc', ['spec'], { cwd: b });
    const config = JSON.parse(readFileSync(join(b, 'config.json'), 'utf8'));
    config.root = { path: join(dir, 'rootfs'), readonly: false };
    config.process.terminal = false;
    config.process.args = args;
    if (user) config.process.user = user;
    config.mounts.push({ destination: '/output', type: 'bind', source: join(dir, 'out'), options: ['rbind', 'rw'] });
    config.linux.seccomp = seccompSection(socket);
    writeFileSync(join(b, 'config.json'), JSON.stringify(config));
    return b;
  }

  function runc(...args: string[]) {
    return spawnSync('runc', ['--root', runcRoot, ...args], { encoding: 'utf8', timeout: 30_000 });
  }

  function runContainer(id: string, b: string) {
    containers.add(id);
    const r = runc('run', '--bundle', b, id);
    return { status: r.status, out: r.stdout, err: r.stderr, lines: Object.fromEntries(r.stdout.split('\n').filter(Boolean).map((l) => l.split('=') as [string, string])) };
  }

  /** Starts a container detached with stdio on files (runc run -d needs no terminal then). */
  function runDetached(id: string, b: string): void {
    containers.add(id);
    const out = openSync(join(dir, `${id}.out`), 'w');
    const r = spawnSync('runc', ['--root', runcRoot, 'run', '-d', '--bundle', b, id], { stdio: ['ignore', out, out], timeout: 30_000 });
    closeSync(out);
    expect(r.status, readFileSync(join(dir, `${id}.out`), 'utf8')).toBe(0);
  }

  /** Runs a container in the foreground without waiting: its output, and whether runc has exited. */
  function startContainer(id: string, b: string): { out: () => string; exited: () => boolean; done: Promise<void> } {
    containers.add(id);
    const p = spawn('runc', ['--root', runcRoot, 'run', '--bundle', b, id], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let exited = false;
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    const done = new Promise<void>((r) => p.on('close', () => { exited = true; r(); }));
    return { out: () => out, exited: () => exited, done };
  }

  /** The agent's main thread is inside openat2 (x86_64: 437): what a stalled agent looked like. */
  const agentInOpenat2 = (): boolean => {
    try {
      return readFileSync(`/proc/${agent!.pid}/syscall`, 'utf8').startsWith('437 ');
    } catch {
      return false;
    }
  };

  const denialsOf = (id: string): Array<{ reason: string; errno: number; args: string }> => {
    try {
      return readFileSync(denialLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((d) => d.container === id);
    } catch {
      return [];
    }
  };

  async function waitFor(cond: () => boolean, ms = 5000): Promise<boolean> {
    for (const end = Date.now() + ms; Date.now() < end; ) {
      if (cond()) return true;
      await new Promise((r) => setTimeout(r, 25));
    }
    return cond();
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'openclaw-agent-it-'));
    socket = join(dir, 'run', 'agent.sock');
    denialLog = join(dir, 'denials.log');
    runcRoot = join(dir, 'runc');
    const rootfs = join(dir, 'rootfs');
    for (const d of ['bin', 'etc', 'dev', 'proc', 'sys', 'output']) mkdirSync(join(rootfs, d), { recursive: true });
    copyFileSync(BUSYBOX, join(rootfs, 'bin/busybox'));
    spawnSync('chmod', ['755', join(rootfs, 'bin/busybox')]);
    symlinkSync('busybox', join(rootfs, 'bin/sh'));
    writeFileSync(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/:/bin/sh\n');
    const cc = spawnSync('gcc', ['-static', '-O1', '-pthread', '-o', join(rootfs, 'probe'), join(import.meta.dirname, 'probe.c')], { encoding: 'utf8' });
    expect(cc.status, cc.stderr).toBe(0);
    mkdirSync(join(dir, 'out'));
    symlinkSync('/etc/passwd', join(dir, 'out', 'link'));
    agent = await startAgent();
    expect(await canConnect(socket), agentStderr).toBe(true);
  }, 60_000);

  afterAll(() => {
    for (const id of containers) runc('delete', '--force', id);
    if (agent?.pid && agent.exitCode === null) process.kill(agent.pid, 'SIGKILL');
    for (const pid of extraAgents) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('serves its socket root-only', () => {
    const st = spawnSync('stat', ['-c', '%a', socket, join(dir, 'run')], { encoding: 'utf8' }).stdout.trim().split('\n');
    expect(st).toEqual(['600', '700']);
  });

  it('lets the entrypoint start and enforces exactly-one-exec and write gating', async () => {
    const base = fdCount(agent!.pid!);
    const r = runContainer('it-main', bundle('b-main', ['/probe', 'checks']));
    expect(r.status, r.err).toBe(0);
    expect(r.lines).toEqual({
      threads: 'ok',
      read_etc: 'ok',
      write_output: 'ok',
      append_output: 'ok',
      write_devnull: 'ok',
      write_etc: 'EPERM',
      rdwr_etc: 'EPERM',
      trunc_etc: 'EPERM',
      dotdot_escape: 'EPERM',
      symlink_escape: 'ELOOP',
      relative_output: 'ok',
      exec: 'EPERM',
    });
    expect(readFileSync(join(dir, 'out', 'probe.txt'), 'utf8')).toBe('write_outputappend_output');
    expect(existsSync(join(dir, 'out', 'rel.txt'))).toBe(true);
    expect(readFileSync(join(dir, 'rootfs', 'etc', 'passwd'), 'utf8')).toContain('root:x:0:0');
    expect(await waitFor(() => fdCount(agent!.pid!) === base)).toBe(true);

    // The agent writes its denial log asynchronously: wait for the line, not for a time.
    // Both lines: the exec comes last in the probe, and its line may land after the open's.
    await waitFor(() => denialsOf('it-main').some((d) => d.args.includes('/etc/probe')) && denialsOf('it-main').some((d) => (d as { syscall?: string }).syscall === 'execve'));
    const mine = denialsOf('it-main') as Array<{ syscall?: string; args: string }>;
    expect(mine.map((d) => d.syscall)).toContain('execve');
    expect(mine.find((d) => d.args.includes('/etc/probe'))).toMatchObject({ decision: 'deny', errno: 1, profile: 'itest', reason: 'write-open outside writable paths' });

    const printed = spawnSync(BIN, ['denials', 'it-main', '--log', denialLog], { encoding: 'utf8' });
    expect(printed.status).toBe(0);
    expect(printed.stdout).toMatch(/it-main {2}pid \d+ {2}profile itest {2}execve {2}EPERM {2}execve after the first execve {2}path="\/bin\/busybox"/);
  }, 60_000);

  // Regression (issue 9, finding 3): a FIFO in a writable dir stalled the shared agent in its
  // open, and with it every container. Causality, not time: the neighbour must finish while
  // the FIFO still has no reader (the test opens one only afterwards); with the old agent the
  // neighbour cannot finish before that.
  it('a FIFO in the writable dir is refused at once and does not stall a neighbour', async () => {
    const fifo = join(dir, 'out', 'fifo');
    spawnSync('mkfifo', [fifo]);
    const events: string[] = [];
    const attacker = startContainer('it-fifo', bundle('b-fifo', ['/probe', 'fifo', '/output/fifo']));
    // The attacker's write-open has reached the agent: answered, or the agent is inside it.
    expect(await waitFor(() => attacker.out().includes('fifo=') || agentInOpenat2(), 20_000)).toBe(true);
    const neighbour = startContainer('it-fifo-nb', bundle('b-fifo-nb', ['/probe', 'open', 'neighbour', '/output/neighbour-fifo.txt']));
    void neighbour.done.then(() => events.push('neighbour done'));
    await waitFor(() => neighbour.exited(), 30_000);
    events.push('fifo reader opened');
    closeSync(openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK)); // releases an opener blocked on the FIFO
    await Promise.all([attacker.done, neighbour.done]);
    expect(events).toEqual(['neighbour done', 'fifo reader opened']);
    expect(neighbour.out()).toContain('neighbour=ok');
    expect(attacker.out()).toContain('fifo=EPERM');
    await waitFor(() => denialsOf('it-fifo').length > 0);
    expect(denialsOf('it-fifo')).toEqual([expect.objectContaining({ errno: 1, reason: expect.stringContaining('FIFO') })]);
  }, 90_000);

  // Regression (issue 9, finding 3): a read lease on a file in the writable dir made the
  // agent's open wait for the lease to break (lease-break-time, 45 s by default). The holder
  // keeps its lease until the test says so, after the neighbour finished.
  it('a leased file answers EWOULDBLOCK at once and does not stall a neighbour', async () => {
    writeFileSync(join(dir, 'out', 'leased'), 'lease');
    const events: string[] = [];
    const attacker = startContainer('it-lease', bundle('b-lease', ['/probe', 'lease', '/output/leased', '/output/lease-done']));
    expect(await waitFor(() => attacker.out().includes('leased_write=') || agentInOpenat2(), 20_000), attacker.out()).toBe(true);
    expect(attacker.out()).not.toContain('lease=E');
    const neighbour = startContainer('it-lease-nb', bundle('b-lease-nb', ['/probe', 'open', 'neighbour', '/output/neighbour-lease.txt']));
    void neighbour.done.then(() => events.push('neighbour done'));
    await waitFor(() => neighbour.exited(), 30_000);
    events.push('lease released');
    writeFileSync(join(dir, 'out', 'lease-done'), '');
    await Promise.all([attacker.done, neighbour.done]);
    expect(events).toEqual(['neighbour done', 'lease released']);
    expect(neighbour.out()).toContain('neighbour=ok');
    expect(attacker.out()).toContain('lease=ok');
    expect(attacker.out()).toContain('leased_write=EAGAIN');
    expect(readFileSync(join(dir, 'out', 'leased'), 'utf8')).toBe('lease');
    await waitFor(() => denialsOf('it-lease').length > 0);
    expect(denialsOf('it-lease')).toEqual([expect.objectContaining({ errno: 11, reason: expect.stringContaining('lease') })]);
  }, 90_000);

  // Regression (issue 9, medium): the agent opened as root, so file permissions inside a
  // writable dir did not apply. Now the container's user (and, for a root container without a
  // user namespace, its capabilities: runc's default set has no CAP_DAC_OVERRIDE) decides.
  it.each([
    { who: 'uid 1000', user: { uid: 1000, gid: 1000 }, want: { secret: 'EACCES', other: 'EACCES', mine: 'ok' }, owner: 1000 },
    { who: 'root without CAP_DAC_OVERRIDE', user: undefined, want: { secret: 'ok', other: 'EACCES', mine: 'EACCES' }, owner: undefined },
  ])('file permissions in the writable dir apply: $who', ({ who, user, want, owner }) => {
    const out = join(dir, 'out');
    writeFileSync(join(out, 'secret'), 'root only');
    chmodSync(join(out, 'secret'), 0o600);
    writeFileSync(join(out, 'other'), 'uid 1234 only');
    chownSync(join(out, 'other'), 1234, 1234);
    chmodSync(join(out, 'other'), 0o600);
    rmSync(join(out, 'u1000'), { recursive: true, force: true });
    mkdirSync(join(out, 'u1000'), { mode: 0o755 });
    chownSync(join(out, 'u1000'), 1000, 1000);
    const id = `it-perms-${user ? 'user' : 'root'}`;
    const r = runContainer(id, bundle(`b-${id}`, ['/probe', 'perms'], user));
    expect(r.status, `${who}: ${r.err}`).toBe(0);
    expect(r.lines).toEqual(want);
    expect(readFileSync(join(out, 'secret'), 'utf8') !== 'root only').toBe(want.secret === 'ok');
    expect(readFileSync(join(out, 'other'), 'utf8')).toBe('uid 1234 only');
    if (owner !== undefined) expect(statSync(join(out, 'u1000', 'mine')).uid).toBe(owner);
  }, 60_000);

  // Regression (issue 9, medium): the path was decoded as UTF-8, so invalid bytes became
  // U+FFFD and a different file was created.
  it('a file name that is not UTF-8 is created byte for byte', () => {
    const r = runContainer('it-nonutf8', bundle('b-nonutf8', ['/probe', 'nonutf8']));
    expect(r.lines.nonutf8, r.err).toBe('ok');
    const want = Buffer.from([0x6e, 0x61, 0xff, 0xfe, 0x6d, 0x65]);
    const names = readdirSync(join(dir, 'out'), { encoding: 'buffer' });
    expect(names.filter((n) => n.includes(Buffer.from('na')) && n.includes(Buffer.from('me')) && n.length < 16)).toEqual([want]);
  }, 60_000);

  it('gives runc exec processes their own first exec, and frees each listener', async () => {
    const base = fdCount(agent!.pid!);
    runDetached('it-exec', bundle('b-exec', ['/probe', 'wait', '/output/never']));
    const e = runc('exec', 'it-exec', '/probe', 'checks');
    expect(e.status, e.stderr).toBe(0);
    expect(e.stdout).toContain('write_output=ok');
    expect(e.stdout).toContain('write_etc=EPERM');
    expect(e.stdout).toContain('exec=EPERM');
    runc('kill', 'it-exec', 'KILL');
    await waitFor(() => runc('state', 'it-exec').stdout.includes('"stopped"'));
    runc('delete', '--force', 'it-exec');
    containers.delete('it-exec');
    expect(await waitFor(() => fdCount(agent!.pid!) === base)).toBe(true);
  }, 60_000);

  const rssKb = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);

  it('serves 200 containers one after another with fds back to baseline and memory bounded', async () => {
    const base = fdCount(agent!.pid!);
    const rss0 = rssKb(agent!.pid!);
    const b = bundle('b-loop', ['/probe', 'checks']);
    for (let i = 0; i < 200; i++) {
      const r = runContainer(`it-loop-${i}`, b);
      expect(r.lines.exec, r.err + r.out).toBe('EPERM');
      expect(r.lines.write_output, r.err + r.out).toBe('ok');
      containers.delete(`it-loop-${i}`);
    }
    expect(await waitFor(() => fdCount(agent!.pid!) === base)).toBe(true);
    // V8 grows its heap lazily; a leak per container would show as far more than this.
    expect(rssKb(agent!.pid!) - rss0).toBeLessThan(40_000);
  }, 300_000);

  it('serves 20 containers at once', async () => {
    const base = fdCount(agent!.pid!);
    const b = bundle('b-many', ['/probe', 'checks']);
    const ids = Array.from({ length: 20 }, (_, i) => `it-many-${i}`);
    ids.forEach((id) => containers.add(id));
    const outs = await Promise.all(
      ids.map(
        (id) =>
          new Promise<string>((done) => {
            const p = spawn('runc', ['--root', runcRoot, 'run', '--bundle', b, id], { stdio: ['ignore', 'pipe', 'pipe'] });
            let out = '';
            p.stdout.on('data', (d) => (out += d));
            p.stderr.on('data', (d) => (out += d));
            p.on('close', () => done(out));
          }),
      ),
    );
    for (const out of outs) {
      expect(out).toContain('threads=ok');
      expect(out).toContain('write_output=ok');
      expect(out).toContain('write_etc=EPERM');
      expect(out).toContain('exec=EPERM');
    }
    ids.forEach((id) => containers.delete(id));
    expect(await waitFor(() => fdCount(agent!.pid!) === base)).toBe(true);
  }, 120_000);

  it('ensureAgent started concurrently starts exactly one agent', async () => {
    const sock2 = join(dir, 'run2', 'agent.sock');
    const config = RuntimeConfigSchema.parse({});
    await Promise.all([0, 1, 2].map(() => ensureAgent(config, { socketPath: sock2, denialLog: join(dir, 'denials2.log'), timeoutMs: 15_000 })));
    const pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
      try {
        const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
        return cmd.includes('agent') && cmd.includes(sock2);
      } catch {
        return false;
      }
    });
    extraAgents.push(...pids.map(Number));
    expect(pids).toHaveLength(1);
    expect(await canConnect(sock2)).toBe(true);
    // A second agent by hand on the same socket refuses (it cannot take the lock).
    const second = spawnSync(BIN, ['agent', '--socket', sock2], { encoding: 'utf8', timeout: 10_000 });
    expect(second.status).not.toBe(0);
    expect(second.stderr).toContain('another seccomp agent already serves this socket');
  }, 60_000);

  it('fails closed when the agent dies: notified calls fail, new containers do not start', async () => {
    runDetached('it-dead', bundle('b-dead', ['/probe', 'wait', '/output/go']));
    // `runc run -d` returns before the entrypoint's execve is done: kill the agent only once
    // the container runs /probe (else that execve itself fails, which is a different test).
    await waitFor(() => {
      try {
        const { pid } = JSON.parse(runc('state', 'it-dead').stdout) as { pid: number };
        return readlinkSync(`/proc/${pid}/exe`).endsWith('/probe');
      } catch {
        return false;
      }
    });
    process.kill(agent!.pid!, 'SIGKILL');
    await waitFor(() => agent!.exitCode !== null || agent!.signalCode !== null);
    writeFileSync(join(dir, 'out', 'go'), '');
    await waitFor(() => runc('state', 'it-dead').stdout.includes('"stopped"'));
    const out = readFileSync(join(dir, 'it-dead.out'), 'utf8');
    // The kernel answers ENOSYS once the listener fd is closed.
    expect(out).toContain('write_output=ENOSYS');
    expect(out).toContain('write_etc=ENOSYS');
    expect(out).toContain('exec=ENOSYS');
    expect(existsSync(join(dir, 'out', 'after.txt'))).toBe(false);
    const r = runContainer('it-noagent', bundle('b-noagent', ['/probe', 'checks']));
    expect(r.status).not.toBe(0);
    expect(r.err).toContain('seccomp agent');
    // A restarted agent serves new containers.
    agent = await startAgent();
    const again = runContainer('it-restart', bundle('b-restart', ['/probe', 'checks']));
    expect(again.lines.write_output).toBe('ok');
    expect(again.lines.exec).toBe('EPERM');
  }, 60_000);
});
