/**
 * Faults of the resident service (shim/service/) and the native launcher in front of it:
 *   - the service SIGKILLed in the middle of merges: config.json is the original or the whole
 *     merge, never partial; and a launcher whose service died mid-request still completes
 *     its create (through Node);
 *   - a stale socket, a socket file not owned by root, a listener that is not root, a service
 *     speaking another protocol version (also protocol 3, which served no exec): never trusted
 *     (the call goes to Node), and a stale or outdated service is replaced;
 *   - a client that is not root is refused by the service (SO_PEERCRED);
 *   - 50 concurrent creates through the service all succeed, and pass-through commands never
 *     wait for it (they complete while the service is frozen with SIGSTOP).
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTemplate, SHIM } from '../helpers/bundle.js';
import { makeWorld, removeWorld, runcContainers, type World } from '../bad-input/harness.js';
import { canConnect } from '../../shim/agent/client.js';
import { callService, startService } from '../../shim/service/client.js';
import { SERVICE_PROTOCOL_VERSION, encodeResponse } from '../../shim/service/protocol.js';
import { serviceSocket } from '../../shim/service/paths.js';
import { alive, bundleOn, faultSkipReason, rootfsBundle, sleep } from './support.js';

const nativeBuilt = existsSync(SHIM) && !readFileSync(SHIM).subarray(0, 2).equals(Buffer.from('#!'));
const skip = faultSkipReason(true) ?? (nativeBuilt ? undefined : 'bin/openclaw-runtime is not the native launcher (scripts/build-launcher.sh)');
if (skip) console.warn(`SKIP faults/service: ${skip}`);

const servicePid = (dir: string): number => Number.parseInt(readFileSync(join(dir, 'service.lock'), 'utf8'), 10);

function stopService(dir: string): void {
  if (!existsSync(join(dir, 'service.lock'))) return;
  const pid = servicePid(dir);
  if (pid > 0 && alive(pid)) process.kill(pid, 'SIGKILL');
}

async function waitGone(pid: number): Promise<void> {
  for (let i = 0; i < 500 && alive(pid); i++) await sleep(10);
}

/** A directory holding a `node` that fails: any fallback to the Node path shows as exit 99. */
function noNodeDir(parent: string): string {
  const d = join(parent, 'no-node');
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'node'), '#!/bin/sh\necho "FELL BACK TO NODE" >&2\nexit 99\n', { mode: 0o755 });
  return d;
}

interface Launched {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** The native launcher, async, stdout to /dev/null (a created container keeps its stdio). */
function launch(args: string[], env: NodeJS.ProcessEnv): Promise<Launched> {
  return new Promise((resolve) => {
    const child = spawn(SHIM, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('exit', (code, signal) => resolve({ code, signal, stderr }));
  });
}

describe.skipIf(skip)('the resident service under faults', () => {
  let world: World;
  let svcDir: string;
  let rootfs: string;
  let env: NodeJS.ProcessEnv;
  const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

  beforeAll(() => {
    world = makeWorld(`openclaw-fault-svc-${process.pid}-`);
    svcDir = join(world.work, 'service');
    rootfs = rootfsBundle(world.work).rootfs;
    env = { ...process.env, OPENCLAW_CONFIG: '', OPENCLAW_SERVICE_DIR: svcDir };
  });
  afterAll(() => {
    stopService(svcDir);
    for (const id of runcContainers(world.runcRoot)) spawnSync('runc', ['--root', world.runcRoot, 'delete', '--force', id]);
    removeWorld(world);
    removeTemplate();
  });

  it('SIGKILL during merges: config.json is the original or the whole merge, never partial', async () => {
    const dir = join(world.work, 'kill');
    bundleOn(rootfs, dir, ['/bin/true']);
    const cfgPath = join(dir, 'config.json');
    const original = readFileSync(cfgPath, 'utf8');
    const m = spawnSync(SHIM, ['--profile', 'default', '--openclaw-config', world.configToml, 'merge', '--bundle', dir, 'kill-id'], { env, encoding: 'utf8' });
    expect(m.status, m.stderr).toBe(0);
    const merged = m.stdout;
    const seen = { original: 0, merged: 0 };
    const warm = join(world.work, 'kill-warm');
    bundleOn(rootfs, warm, ['/bin/true']);
    const createReq = (cwd: string) => ({ version: SERVICE_PROTOCOL_VERSION, cwd, self: SHIM, env: { PATH: SYSTEM_PATH }, argv: ['--profile', 'default', '--openclaw-config', world.configToml, '--root', world.runcRoot, 'create', 'kill-id'] });
    const ROUNDS = 12;
    for (let round = 0; round < ROUNDS; round++) {
      writeFileSync(cfgPath, original);
      expect(await startService(svcDir, { wait: true })).toBe(true);
      const pid = servicePid(svcDir);
      // Warm (modules and profile loaded), and how long a warm merge takes here.
      const t0 = performance.now();
      expect((await callService(svcDir, createReq(warm))).status).toBe('exec');
      const warmMs = performance.now() - t0;
      const call = callService(svcDir, createReq(dir)).then(
        (r) => r.status,
        () => 'killed',
      );
      await sleep((warmMs * 1.5 * round) / ROUNDS); // spread over before, during and after the merge
      process.kill(pid, 'SIGKILL');
      await call;
      await waitGone(pid);
      const now = readFileSync(cfgPath, 'utf8');
      expect([original, merged]).toContain(now);
      seen[now === original ? 'original' : 'merged']++;
    }
    console.log(`service SIGKILLed mid-create: ${seen.original} x original, ${seen.merged} x merged`);
  });

  it('a launcher whose service dies mid-request completes the create through Node', async () => {
    const dir = join(world.work, 'midreq');
    bundleOn(rootfs, dir, ['/bin/true']);
    expect(await startService(svcDir, { wait: true })).toBe(true);
    const pid = servicePid(svcDir);
    process.kill(pid, 'SIGSTOP'); // the request is sent, no answer comes
    const id = `oc-svc-midreq-${process.pid}`;
    const run = launch(['--profile', 'default', '--openclaw-config', world.configToml, '--root', world.runcRoot, 'create', '--bundle', dir, id], env);
    await sleep(300);
    process.kill(pid, 'SIGKILL');
    const r = await run;
    expect(r.code, r.stderr).toBe(0);
    expect(runcContainers(world.runcRoot)).toContain(id);
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).annotations?.['org.openclaw.profile.applied']).toBe('default');
    spawnSync('runc', ['--root', world.runcRoot, 'delete', '--force', id]);
  });

  it('a stale socket (nobody listens) is not trusted, and the service is started again in its place', async () => {
    // The previous test's Node fallback started a service in the background: let it come up, then kill it.
    expect(await startService(svcDir, { wait: true })).toBe(true);
    stopService(svcDir);
    await waitGone(servicePid(svcDir));
    expect(existsSync(serviceSocket(svcDir))).toBe(true); // SIGKILL left the socket file: stale
    expect(await canConnect(serviceSocket(svcDir), 200)).toBe(false);
    const r = spawnSync(SHIM, ['--openclaw-config', world.configToml, '--root', world.runcRoot, 'state', 'nonexistent-id'], { env: { ...env, PATH: `${noNodeDir(world.work)}:${SYSTEM_PATH}` }, encoding: 'utf8' });
    expect(r.stderr).toContain('FELL BACK TO NODE'); // the stale socket was not trusted
    // Node (the real one) asked to start a service replaces the stale socket.
    const n = spawnSync(SHIM, ['--openclaw-config', world.configToml, '--root', world.runcRoot, 'state', 'nonexistent-id'], { env, encoding: 'utf8' });
    expect(n.stderr).toMatch(/does not exist/);
    let up = false;
    for (let i = 0; i < 200 && !up; i++) {
      up = await canConnect(serviceSocket(svcDir), 200);
      if (!up) await sleep(50);
    }
    expect(up).toBe(true);
  });

  it('a socket file not owned by root, or a listener that is not root, is never asked', async () => {
    stopService(svcDir);
    await waitGone(servicePid(svcDir));
    rmSync(serviceSocket(svcDir), { force: true });
    const nobodyDir = mkdtempSync(join(tmpdir(), `openclaw-fault-nobody-${process.pid}-`));
    chmodSync(nobodyDir, 0o777);
    const sock = join(nobodyDir, 's.sock');
    // A listener running as nobody that would answer "exec /bin/false" to anyone.
    const answer = encodeResponse({ status: 'exec', exit: 0, runtime: '/bin/false', stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) }).toString('base64');
    const listener = spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e',
      `require("net").createServer({allowHalfOpen:true},(s)=>{s.on("data",()=>{});s.on("end",()=>s.end(Buffer.from("${answer}","base64")));}).listen(${JSON.stringify(sock)},()=>console.log("up"));`], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((r) => listener.stdout!.once('data', () => r()));
      const noNode = { ...env, PATH: `${noNodeDir(world.work)}:${SYSTEM_PATH}` };
      const args = ['--openclaw-config', world.configToml, '--root', world.runcRoot, 'features'];
      // 1. the socket file as nobody made it (owner 65534) in the service directory
      renameSync(sock, serviceSocket(svcDir));
      let r = spawnSync(SHIM, args, { env: noNode, encoding: 'utf8' });
      expect(r.stderr).toContain('FELL BACK TO NODE');
      // 2. chowned to root: the file looks right, but the listener's SO_PEERCRED says uid 65534
      chownSync(serviceSocket(svcDir), 0, 0);
      r = spawnSync(SHIM, args, { env: noNode, encoding: 'utf8' });
      expect(r.stderr).toContain('FELL BACK TO NODE');
      // 3. the same listener in a directory others can write: not trusted either
      chmodSync(svcDir, 0o777);
      r = spawnSync(SHIM, args, { env: noNode, encoding: 'utf8' });
      expect(r.stderr).toContain('FELL BACK TO NODE');
    } finally {
      chmodSync(svcDir, 0o700);
      listener.kill('SIGKILL');
      rmSync(nobodyDir, { recursive: true, force: true });
      rmSync(serviceSocket(svcDir), { force: true });
    }
  });

  it('a client that is not root gets no answer (SO_PEERCRED)', async () => {
    expect(await startService(svcDir, { wait: true })).toBe(true);
    chmodSync(svcDir, 0o711);
    chmodSync(serviceSocket(svcDir), 0o666);
    try {
      const script = `const s=require("net").connect(${JSON.stringify(serviceSocket(svcDir))});let n=0;s.on("connect",()=>s.end(Buffer.from("OCLW\\u00001\\u0000/\\u0000/x\\u00001\\u0000--version\\u00000\\u0000")));s.on("data",(b)=>n+=b.length);s.on("close",()=>{console.log("bytes="+n)});s.on("error",()=>{});`;
      const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', script], { encoding: 'utf8', timeout: 10_000 });
      expect(r.stdout.trim()).toBe('bytes=0');
      expect(readFileSync(join(svcDir, 'service.log'), 'utf8')).toMatch(/refused a connection from uid 65534/);
    } finally {
      chmodSync(svcDir, 0o700);
      chmodSync(serviceSocket(svcDir), 0o600);
    }
  });

  it('a service of another protocol version is not trusted; a client of another version makes the service exit', async () => {
    expect(await startService(svcDir, { wait: true })).toBe(true);
    const pid = servicePid(svcDir);
    // A request from a newer launcher: "use Node", and the service leaves for a current one.
    const r = await callService(svcDir, { version: SERVICE_PROTOCOL_VERSION + 1, cwd: '/', self: SHIM, env: {}, argv: ['--version'] });
    expect(r.status).toBe('node');
    await waitGone(pid);
    expect(alive(pid)).toBe(false);
    expect(existsSync(serviceSocket(svcDir))).toBe(false);
    // An older service (root, right place) answering in its own format: the launcher goes to
    // Node. Protocol 3 served no exec: its "exec" (the caller's argv, as is) would run an
    // engine's exec unclamped, so the version alone must refuse it.
    const OLD_ANSWERS = [
      Buffer.from('OCLW\x000\x00exec\x000\x00/bin/false\x000\x000\x00'),
      Buffer.from('OCLW\x003\x00exec\x000\x00/bin/false\x00\x000\x000\x00'),
    ];
    let oldAnswer = OLD_ANSWERS[0]!;
    const old = createServer({ allowHalfOpen: true }, (s) => {
      s.on('data', () => undefined);
      s.on('end', () => s.end(oldAnswer));
    });
    await new Promise<void>((res) => old.listen(serviceSocket(svcDir), () => res()));
    try {
      for (const a of OLD_ANSWERS) {
        oldAnswer = a;
        for (const args of [['features'], ['exec', '--process', '/nonexistent/p.json', 'some-id']]) {
          // async: this process is the old service and must keep answering
          const x = await launch(['--openclaw-config', world.configToml, ...args], { ...env, PATH: `${noNodeDir(world.work)}:${SYSTEM_PATH}` });
          expect(x.stderr, `${a.toString('latin1')} ${args.join(' ')}`).toContain('FELL BACK TO NODE');
          expect(x.code).toBe(99);
        }
      }
    } finally {
      await new Promise<void>((res) => old.close(() => res()));
    }
  });

  it('50 concurrent creates through the service all succeed; pass-through never waits for the service', async () => {
    expect(await startService(svcDir, { wait: true })).toBe(true);
    const N = 50;
    const dirs = Array.from({ length: N }, (_, i) => join(world.work, `c${i}`));
    dirs.forEach((d) => bundleOn(rootfs, d, ['/bin/sh', '-c', 'sleep 30']));
    const m = spawnSync(SHIM, ['--profile', 'default', '--openclaw-config', world.configToml, 'merge', '--bundle', dirs[0]!, 'x'], { env, encoding: 'utf8' });
    expect(m.status, m.stderr).toBe(0);
    const ids = dirs.map((_, i) => `oc-svc-conc-${process.pid}-${i}`);
    const noNode = { ...env, PATH: `${noNodeDir(world.work)}:${SYSTEM_PATH}` };
    const results = await Promise.all(dirs.map((d, i) => launch(['--profile', 'default', '--openclaw-config', world.configToml, '--root', world.runcRoot, 'create', '--bundle', d, ids[i]!], noNode)));
    const failed = results.map((r, i) => ({ ...r, i })).filter((r) => r.code !== 0);
    expect(failed, failed.map((f) => `#${f.i}: ${f.code ?? f.signal} ${f.stderr}`).join('\n')).toEqual([]);
    for (const d of dirs) expect(readFileSync(join(d, 'config.json'), 'utf8')).toBe(m.stdout);
    expect(runcContainers(world.runcRoot).sort()).toEqual([...ids].sort());

    // Pass-through does not depend on the service at all once the config is resolved:
    // state, kill and delete complete while the service is frozen.
    const pid = servicePid(svcDir);
    process.kill(pid, 'SIGSTOP');
    try {
      const st = spawnSync(SHIM, ['--openclaw-config', world.configToml, '--root', world.runcRoot, 'state', ids[0]!], { env: noNode, encoding: 'utf8', timeout: 20_000 });
      expect(st.status, st.stderr).toBe(0);
      expect(JSON.parse(st.stdout).status).toBe('created');
      for (const id of ids) {
        const d = spawnSync(SHIM, ['--openclaw-config', world.configToml, '--root', world.runcRoot, 'delete', '--force', id], { env: noNode, encoding: 'utf8', timeout: 20_000 });
        expect(d.status, d.stderr).toBe(0);
      }
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    expect(runcContainers(world.runcRoot)).toEqual([]);
  });
});
