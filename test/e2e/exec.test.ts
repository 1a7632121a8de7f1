/**
 * Exec into a running container goes through the shim and is held to the profile, end to
 * end: a private dockerd (`docker exec`) and a private containerd (`ctr tasks exec`, the runc
 * v2 shim's path that CRI ExecSync also takes), started as test/helpers/daemons.ts does.
 * Engines give an exec their own stored process (Docker: its 14 default capabilities,
 * no_new_privs off); the verifier inside the exec'd process reports CapEff, NoNewPrivs,
 * Seccomp, the uid and its host mapping. Every container runs with --network none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { addDockerRuntime } from '../../shim/install/docker-config.js';
import { missingPrerequisite, SHIM_BIN, startEngines, type Containerd, type Dockerd, type Engines } from '../helpers/daemons.js';
import { ensureTestImage, TEST_IMAGE, TEST_IMAGE_CONTAINERD, VERIFIER } from '../helpers/images.js';
import { checkFacts, parseFacts, PROFILE_EXPECTATIONS } from './expectations.js';
import { writeShimFixture, type ShimFixture } from './fixtures.js';

const NS = 'openclaw-e2e-exec';
const skip = missingPrerequisite();
if (skip) console.log(`[e2e exec] skipped: ${skip}`);

let engines: Engines | undefined;
let docker: Dockerd['docker'];
let ctr: (args: readonly string[], opts?: { timeout?: number }) => ReturnType<Containerd['ctr']>;
let fixture: ShimFixture;
let fixtureDir: string;
let seq = 0;
const name = (what: string) => `exec-${what}-${process.pid}-${++seq}`;

/** What every exec'd process must show, whatever the engine asked: the profile's process. */
const HELD = { seccomp: '2', no_new_privs: '1', cap_eff: '0000000000000000', cap_bnd: '0000000000000000', done: '1' };

describe.skipIf(skip)('exec into a running container is held to the profile (private dockerd and containerd)', () => {
  beforeAll(async () => {
    fixtureDir = mkdtempSync('/tmp/oc-e2e-exec-');
    chmodSync(fixtureDir, 0o711);
    fixture = writeShimFixture(fixtureDir, SHIM_BIN);
    let daemonJson: Record<string, unknown> = {};
    for (const p of PROFILE_EXPECTATIONS) daemonJson = addDockerRuntime(daemonJson, { name: p.runtime, binary: SHIM_BIN, profile: p.profile, openclawConfig: fixture.config }).config;
    engines = await startEngines({ docker: true, daemonJson });
    docker = engines.dockerd!.docker;
    ctr = (args, o) => engines!.containerd.ctr(NS, args, o);
    await ensureTestImage(engines.dir, engines.dockerd!, { daemon: engines.containerd, namespace: NS });
  });

  afterAll(async () => {
    fixture?.stopAgent();
    await engines?.stop();
    if (fixtureDir) rmSync(fixtureDir, { recursive: true, force: true });
  });

  async function dockerRunning(runtime: string, args: string[] = []): Promise<string> {
    const n = name('d');
    const r = await docker(['run', '-d', '--name', n, '--runtime', runtime, '--network', 'none', ...args, TEST_IMAGE, 'sleep', '300']);
    expect(r.exitCode, r.stderr).toBe(0);
    return n;
  }

  describe.each(PROFILE_EXPECTATIONS)('docker exec, profile $profile', (p) => {
    it('the exec\'d process has the profile\'s capabilities (none), no_new_privs 1, the filter and the container\'s uid mapping', async () => {
      const n = await dockerRunning(p.runtime);
      try {
        const r = await docker(['exec', n, '/bin/sh', VERIFIER]);
        expect(r.exitCode, r.stderr).toBe(0);
        expect(checkFacts(parseFacts(r.stdout), { ...HELD, uid: '0', uid_map: p.facts.uid_map as string }), r.stdout).toEqual([]);
        // --privileged asks for every capability: still none.
        const priv = await docker(['exec', '--privileged', n, '/bin/sh', VERIFIER]);
        expect(priv.exitCode, priv.stderr).toBe(0);
        expect(checkFacts(parseFacts(priv.stdout), HELD), priv.stdout).toEqual([]);
        // -t: runc gets the engine's --console-socket beside the clamped --process file.
        const tty = await docker(['exec', '-t', n, '/bin/sh', VERIFIER]);
        expect(tty.exitCode, tty.stderr).toBe(0);
        expect(checkFacts(parseFacts(tty.stdout), HELD), tty.stdout).toEqual([]);
      } finally {
        await docker(['rm', '-f', n]);
      }
    });
  });

  it.each(['openclaw-smythos-alternative', 'openclaw-model-backend'])('%s: each docker exec gets its own exec-once', async (runtime) => {
    const n = await dockerRunning(runtime);
    try {
      const first = await docker(['exec', n, '/bin/sh', '-c', 'echo in-exec; exec /bin/echo second-exec-ran']);
      expect(first.stdout).toContain('in-exec');
      expect(first.stdout).not.toContain('second-exec-ran');
      expect(first.exitCode).not.toBe(0);
      const next = await docker(['exec', n, '/bin/echo', 'next-exec-ran']);
      expect(next.exitCode, next.stderr).toBe(0);
      expect(next.stdout).toBe('next-exec-ran\n');
    } finally {
      await docker(['rm', '-f', n]);
    }
  });

  it('docker exec -u 0 into a --user 1000 container (default profile, no user namespace) is refused with the shim\'s reason', async () => {
    const n = await dockerRunning('openclaw', ['--user', '1000:1000']);
    try {
      const own = await docker(['exec', n, '/bin/sh', VERIFIER]);
      expect(own.exitCode, own.stderr).toBe(0);
      expect(checkFacts(parseFacts(own.stdout), { ...HELD, uid: '1000', gid: '1000' }), own.stdout).toEqual([]);
      const root = await docker(['exec', '-u', '0', n, '/bin/echo', 'ran-as-root']);
      expect(root.exitCode).not.toBe(0);
      expect(root.stdout).not.toContain('ran-as-root');
      // docker 20.10 prints an exec's runtime error on stdout
      expect(root.stdout + root.stderr).toMatch(/openclaw-runtime: .*user\.uid: exec as uid 0 would be root on the host/);
    } finally {
      await docker(['rm', '-f', n]);
    }
  });

  /**
   * The default profile only: under a user-namespaced profile, `ctr run` itself fails here
   * before any exec (runc cannot create the spec's /run mount point in the image as the mapped
   * root; a create-side matter, not exec's).
   */
  it('ctr tasks exec (runc v2 shim, BinaryName): the exec\'d process is held to the profile, as root and as --user 1000', async () => {
    const wrapper = fixture.wrapper('openclaw-runtime-exec-e2e');
    const n = name('c');
    const started = await ctr(['run', '-d', '--runc-binary', wrapper, TEST_IMAGE_CONTAINERD, n, 'sleep', '300']);
    expect(started.exitCode, started.stderr).toBe(0);
    try {
      const r = await ctr(['tasks', 'exec', '--exec-id', 'v1', n, '/bin/sh', VERIFIER]);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(checkFacts(parseFacts(r.stdout), { ...HELD, uid: '0', uid_map: '0:0:4294967295' }), r.stdout).toEqual([]);
      const u = await ctr(['tasks', 'exec', '--exec-id', 'v2', '--user', '1000', n, '/bin/sh', VERIFIER]);
      expect(u.exitCode, u.stderr).toBe(0);
      expect(checkFacts(parseFacts(u.stdout), { ...HELD, uid: '1000' }), u.stdout).toEqual([]);
    } finally {
      await ctr(['tasks', 'kill', '-s', 'SIGKILL', n]);
      await expect.poll(async () => (await ctr(['tasks', 'ls'])).stdout.split('\n').some((l) => l.startsWith(`${n} `) && /RUNNING/.test(l)), { timeout: 10_000 }).toBe(false);
      await ctr(['tasks', 'delete', n]);
      await ctr(['containers', 'delete', n]);
    }
  });
});
