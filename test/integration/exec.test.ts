/**
 * `runc exec` through the shim, on real runc: the exec'd process is held to the container's
 * profile. Containers are created through the shim, then exec'd into the way engines do it
 * (`--process FILE` with Docker's defaults: its 14 capabilities, noNewPrivileges false) and
 * with runc's flag form (`--cap`, `--no-new-privs=false`, `--user`). Checked from inside with
 * the builtins-only verifier: CapEff, NoNewPrivs, Seccomp, the uid and its host mapping.
 * Before the shim handled exec, runc ran these processes as the engine asked.
 *
 * One table, two transports: the Node path (the sh launcher, whose shim commands always run in
 * Node) and the native launcher with a private resident service, where a `node` that fails is
 * first on PATH, so any fallback to Node fails the test. Through the service the launcher
 * becomes runc (exec), so nobody is left to remove the clamped process file: it is named after
 * the launcher's pid and the next exec sweeps it (shim/commands/exec.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { integrationSkipReason, makeBundle, parseFacts, REPO, SHIM, type Bundle } from '../helpers/bundle.js';
import { runc, shim as shimAny, type Ran } from '../helpers/shim.js';
import { agentWorkDir, removeAgentWorkDir } from '../helpers/agent.js';
import { startService } from '../../shim/service/client.js';

const ADDON = join(REPO, 'addon', 'build', 'Release', 'openclaw_agent.node');
const skip = integrationSkipReason() ?? (existsSync(ADDON) ? undefined : 'the seccomp agent addon is not built (scripts/build-addon.sh)');
if (skip) console.warn(`SKIP integration/exec: ${skip}`);

/** What dockerd 20.10 gives `docker exec` (its default capability set, no_new_privs off). */
const DOCKER_CAPS = ['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID', 'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE'];
const DOCKER_CAP_EFF = '00000000a80425fb';

/** runc's root, one per transport. */
let ROOT: string;
let work: string;
let configToml: string;
let socket: string;
let refuseProfile: string;
const bundles: Bundle[] = [];
let n = 0;
const id = () => `oc-exec-${process.pid}-${++n}`;

const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const nativeBuilt = existsSync(SHIM) && !readFileSync(SHIM).subarray(0, 2).equals(Buffer.from('#!'));
if (!nativeBuilt) console.warn('SKIP integration/exec through the service: bin/openclaw-runtime is not the native launcher (scripts/build-launcher.sh)');

interface Transport {
  name: string;
  launcher: string;
  /** Whether the launcher execs runc (the process file then outlives the exec until the next one sweeps it). */
  execs: boolean;
  skip: boolean;
}
const TRANSPORTS: Transport[] = [
  { name: 'Node path', launcher: join(REPO, 'bin', 'openclaw-runtime.sh'), execs: false, skip: false },
  { name: 'resident service', launcher: SHIM, execs: true, skip: !nativeBuilt },
];
let transport: Transport;
/** The transport's environment (set in its beforeAll). */
let transportEnv: NodeJS.ProcessEnv = {};

function shim(args: string[], opts: Parameters<typeof shimAny>[1] = {}): Ran & { pid?: number } {
  return shimAny(args, { ...opts, launcher: transport.launcher, env: { ...transportEnv, ...opts.env } });
}

function oc(profile: string, args: string[], opts: { detached?: boolean } = {}): Ran & { pid?: number } {
  return shim(['--profile', profile, '--openclaw-config', configToml, '--root', ROOT, ...args], opts);
}

/** The clamped process files left in the state dir. */
function processFiles(): string[] {
  const dir = join(work, 'state', 'exec');
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

/** After exec `r`: Node removed its file; through the service the file of r's pid (runc's) alone remains. */
function expectProcessFilesAfter(r: { pid?: number }): void {
  if (!transport.execs) return expect(processFiles()).toEqual([]);
  const files = processFiles();
  expect(files).toHaveLength(1);
  expect(files[0]).toMatch(new RegExp(`^${r.pid}-[0-9a-f]{12}\\.json$`));
}

/** A running container (create + start through the shim) whose pid 1 sleeps. */
function running(profile: string, edit: (cfg: any) => void = () => undefined): { cid: string; bundle: Bundle } {
  const bundle = makeBundle(['/bin/sleep', '300']);
  bundles.push(bundle);
  const cfg = bundle.readConfig();
  edit(cfg);
  bundle.writeConfig(cfg);
  const cid = id();
  const created = oc(profile, ['create', '--bundle', bundle.dir, cid], { detached: true });
  expect(created.status, created.stderr).toBe(0);
  const started = oc(profile, ['start', cid]);
  expect(started.status, started.stderr).toBe(0);
  return { cid, bundle };
}

/** The process an engine stores for `docker exec`: Docker's defaults, not the container's. */
function engineProcess(args: string[], over: Record<string, unknown> = {}): string {
  const file = join(work, `process-${++n}.json`);
  const caps = { bounding: DOCKER_CAPS, effective: DOCKER_CAPS, permitted: DOCKER_CAPS };
  writeFileSync(file, JSON.stringify({ terminal: false, user: { uid: 0, gid: 0 }, args, env: ['PATH=/bin'], cwd: '/', capabilities: caps, noNewPrivileges: false, ...over }));
  return file;
}

describe.each(TRANSPORTS)('runc exec through the shim is held to the profile (real runc): $name', (t) => {
  describe.skipIf(skip || t.skip)('', () => {
  beforeAll(async () => {
    transport = t;
    ROOT = mkdtempSync(join(tmpdir(), 'openclaw-exec-root-'));
    ({ work, socket, configToml } = agentWorkDir('openclaw-exec-'));
    if (t.execs) {
      const serviceDir = join(work, 'service');
      const noNode = join(work, 'no-node');
      mkdirSync(noNode);
      writeFileSync(join(noNode, 'node'), '#!/bin/sh\necho "FELL BACK TO NODE" >&2\nexit 99\n', { mode: 0o755 });
      transportEnv = { OPENCLAW_SERVICE_DIR: serviceDir, PATH: `${noNode}:${SYSTEM_PATH}` };
      expect(await startService(serviceDir, { wait: true })).toBe(true);
    } else {
      transportEnv = {};
    }
    refuseProfile = join(work, 'no-exec.yaml');
    writeFileSync(
      refuseProfile,
      stringify({
        apiVersion: 'security.openclaw.org/v1alpha1',
        kind: 'SandboxProfile',
        metadata: { name: 'no-exec' },
        spec: { isolation: { namespaces: { pid: 'isolated', mount: 'isolated' } }, process: { noNewPrivileges: true, capabilities: [], engineExec: 'refuse' } },
      }),
    );
  });
  afterAll(() => {
    const lock = join(work, 'service', 'service.lock');
    if (existsSync(lock)) process.kill(Number.parseInt(readFileSync(lock, 'utf8'), 10), 'SIGTERM');
    removeAgentWorkDir(work, socket, ROOT, bundles.splice(0));
  });

  it('plain runc exec (the baseline the shim changes): the engine\'s capabilities and no_new_privs 0', () => {
    const { cid } = running('default');
    const r = runc(['--root', ROOT, 'exec', '--process', engineProcess(['/bin/verify']), cid]);
    expect(r.status, r.stderr).toBe(0);
    expect(parseFacts(r.stdout)).toMatchObject({ cap_eff: DOCKER_CAP_EFF, no_new_privs: '0' });
  });

  it.each([
    { profile: 'default', uidMap: '0:0:4294967295' },
    { profile: 'smythos-alternative', uidMap: '0:100000:65536' },
    { profile: 'model-backend', uidMap: '0:100000:65536' },
  ])('$profile: exec --process with Docker\'s defaults runs with no capabilities, no_new_privs 1, the filter, the container\'s mapping', ({ profile, uidMap }) => {
    const { cid } = running(profile);
    const file = engineProcess(['/bin/verify']);
    const before = readFileSync(file);
    const r = oc(profile, ['exec', '--process', file, cid]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(parseFacts(r.stdout)).toMatchObject({ seccomp: '2', no_new_privs: '1', cap_eff: '0000000000000000', cap_bnd: '0000000000000000', uid: '0', uid_map: uidMap, done: '1' });
    expect(readFileSync(file).equals(before)).toBe(true); // the engine's file is not touched
    expectProcessFilesAfter(r); // our copy is gone (Node), or named after runc's pid until the next exec
    const next = oc(profile, ['exec', '--process', engineProcess(['/bin/true']), cid]);
    expect(next.status, next.stderr).toBe(0);
    expectProcessFilesAfter(next); // the first exec's file was swept
  });

  it.each(['smythos-alternative', 'model-backend'])('%s: each exec gets its own exec-once (its command runs, a second execve inside it is denied)', (profile) => {
    const { cid } = running(profile);
    const first = oc(profile, ['exec', '--process', engineProcess(['/bin/sh', '-c', 'echo in-exec; exec /bin/echo second-exec-ran']), cid]);
    expect(first.stdout).toContain('in-exec');
    expect(first.stdout).not.toContain('second-exec-ran');
    expect(first.stderr).toMatch(/Operation not permitted/);
    const again = oc(profile, ['exec', '--process', engineProcess(['/bin/echo', 'next-exec-ran']), cid]);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toBe('next-exec-ran\n');
  });

  it('the flag form: --cap and --no-new-privs=false are taken away, the rest of the command runs', () => {
    const { cid } = running('default');
    const r = oc('default', ['exec', '--cap', 'CAP_SYS_ADMIN', '--no-new-privs=false', '-e', 'X=from-flag', cid, '/bin/sh', '-c', '/bin/verify; echo "x=$X"']);
    expect(r.status, r.stderr).toBe(0);
    expect(parseFacts(r.stdout)).toMatchObject({ no_new_privs: '1', cap_eff: '0000000000000000', cap_bnd: '0000000000000000', x: 'from-flag', done: '1' });
  });

  /**
   * Read from /proc/self/limits. NOFILE's soft limit is not compared: runc 1.1.5 (Go 1.19) may
   * raise it to the hard limit itself in its init, depending on timing (fixed in runc 1.1.6).
   */
  it('rlimits: the container\'s are a ceiling for the exec', () => {
    const { cid } = running('default', (cfg) => {
      cfg.process.rlimits = [
        { type: 'RLIMIT_NOFILE', hard: 512, soft: 256 },
        { type: 'RLIMIT_CORE', hard: 4096, soft: 1024 },
      ];
    });
    const asked = [
      { type: 'RLIMIT_NOFILE', hard: 1048576, soft: 1048576 },
      { type: 'RLIMIT_CORE', hard: 1048576, soft: 1048576 },
    ];
    const r = oc('default', ['exec', '--process', engineProcess(['/bin/cat', '/proc/self/limits'], { rlimits: asked }), cid]);
    expect(r.status, r.stderr).toBe(0);
    const limit = (name: string) => r.stdout.split('\n').find((l) => l.startsWith(name))?.slice(name.length).trim().split(/\s+/).slice(0, 2);
    expect(limit('Max core file size')).toEqual(['1024', '4096']);
    expect(limit('Max open files')?.[1]).toBe('512');
  });

  it('--preserve-fds, --detach and --pid-file reach runc: fd 3 is the exec\'d process\'s, the pid file is written', () => {
    const { cid } = running('default');
    const data = join(work, `preserved-${n}`);
    writeFileSync(data, 'preserved-data\n');
    const fd = openSync(data, 'r');
    try {
      const r = spawnSync(transport.launcher, ['--profile', 'default', '--openclaw-config', configToml, '--root', ROOT, 'exec', '--preserve-fds', '1', '--process', engineProcess(['/bin/sh', '-c', 'cat <&3']), cid], {
        stdio: ['ignore', 'pipe', 'pipe', fd],
        encoding: 'utf8',
        env: { ...process.env, OPENCLAW_CONFIG: '', ...transportEnv },
        timeout: 60_000,
      });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe('preserved-data\n');
    } finally {
      closeSync(fd);
    }
    const pidFile = join(work, `exec-${n}.pid`);
    const d = oc('default', ['exec', '--detach', '--pid-file', pidFile, '--process', engineProcess(['/bin/sleep', '1']), cid], { detached: true });
    expect(d.status, d.stderr).toBe(0);
    expect(readFileSync(pidFile, 'utf8')).toMatch(/^[0-9]+$/);
  });

  it('a container running as uid 1000 on the host (no user namespace): exec as uid 0 is refused before runc runs, naming the field', () => {
    const { cid } = running('default', (cfg) => {
      cfg.process.user = { uid: 1000, gid: 1000 };
    });
    const log = join(work, `log-${n}.json`);
    const r = shim(['--profile', 'default', '--openclaw-config', configToml, '--root', ROOT, '--log', log, '--log-format', 'json', 'exec', '--user', '0:0', cid, '/bin/echo', 'ran']);
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/runc exec flags: user\.uid: exec as uid 0 would be root on the host/);
    const last = JSON.parse(readFileSync(log, 'utf8').trim().split('\n').pop()!);
    expect(last.level).toBe('error');
    expect(last.msg).toMatch(/user\.uid/);
    // The container's own uid and another non-root uid are fine.
    const ok = oc('default', ['exec', '--user', '1000:1000', cid, '/bin/sh', '-c', 'echo "uid=$(id -u)"']);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toBe('uid=1000\n');
  });

  it('engineExec: refuse refuses every exec with the profile file and the field, in stderr and runc\'s --log', () => {
    const { cid } = running(refuseProfile);
    const log = join(work, `log-${n}.json`);
    const r = shim(['--profile', refuseProfile, '--openclaw-config', configToml, '--root', ROOT, '--log', log, '--log-format', 'json', 'exec', '--process', engineProcess(['/bin/echo', 'ran']), cid]);
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${refuseProfile}: spec.process.engineExec: exec into container ${cid} is refused`);
    const last = JSON.parse(readFileSync(log, 'utf8').trim().split('\n').pop()!);
    expect(last).toMatchObject({ level: 'error' });
    expect(last.msg).toContain('spec.process.engineExec');
  });

  it('an exec flag the shim does not know is refused (it cannot clamp what it does not know)', () => {
    const { cid } = running('default');
    const r = oc('default', ['exec', '--no-such-flag', cid, '/bin/echo', 'ran']);
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/--no-such-flag is not one openclaw-runtime knows/);
  });
});
});
