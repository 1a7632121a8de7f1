/**
 * Docker end to end: a private dockerd (test/helpers/daemons.ts) with one openclaw runtime
 * per shipped profile in its daemon.json (profile via runtimeArgs), the busybox test image,
 * and an in-container verifier whose facts are compared with what the profile promised
 * (expectations.ts). Every container runs with --network none (except the one case that
 * asks for the host network to see it refused).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { addDockerRuntime } from '../../shim/install/docker-config.js';
import { cmd, missingPrerequisite, SHIM_BIN, startEngines, type Dockerd, type Engines } from '../helpers/daemons.js';
import { ensureTestImage, TEST_IMAGE, VERIFIER } from '../helpers/images.js';
import { checkFacts, DEFAULT_PROFILE_OPTION_CASES, parseFacts, PROFILE_EXPECTATIONS } from './expectations.js';
import { SMALL_LIMITS, SMALL_PROFILE, writeShimFixture, type ShimFixture } from './fixtures.js';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';

const skip = missingPrerequisite();
if (skip) console.log(`[e2e docker] skipped: ${skip}`);

let engines: Engines | undefined;
let docker: Dockerd['docker'];
let fixture: ShimFixture;
let fixtureDir: string;

/** The runtimes the private dockerd gets: one per shipped profile, plus the e2e ones. */
function runtimesFor(f: ShimFixture): Record<string, unknown> {
  let config: Record<string, unknown> = {};
  const add = (name: string, profile: string) => {
    config = addDockerRuntime(config, { name, binary: SHIM_BIN, profile, openclawConfig: f.config }).config;
  };
  for (const p of PROFILE_EXPECTATIONS) add(p.runtime, p.profile);
  add('openclaw-e2e-small', SMALL_PROFILE);
  add('openclaw-missing-profile', 'no-such-profile');
  return config;
}

function verifierRun(runtime: string, args: readonly string[] = [], network: string[] = ['--network', 'none']) {
  return docker(['run', '--rm', '--runtime', runtime, ...network, ...args, TEST_IMAGE, '/bin/sh', VERIFIER], { timeout: 60_000 });
}

describe.skipIf(skip)('docker --runtime=openclaw (private dockerd)', () => {
  beforeAll(async () => {
    fixtureDir = mkdtempSync('/tmp/oc-e2e-shim-');
    chmodSync(fixtureDir, 0o711);
    fixture = writeShimFixture(fixtureDir, SHIM_BIN);
    engines = await startEngines({ docker: true, daemonJson: runtimesFor(fixture) });
    docker = engines.dockerd!.docker;
    await ensureTestImage(engines.dir, engines.dockerd!);
  });

  afterAll(async () => {
    fixture?.stopAgent();
    await engines?.stop();
    if (fixtureDir) rmSync(fixtureDir, { recursive: true, force: true });
  });

  it('dockerd lists the runtimes daemon.json registered', async () => {
    const r = await docker(['info', '--format', '{{json .Runtimes}}']);
    expect(r.exitCode).toBe(0);
    const runtimes = JSON.parse(r.stdout) as Record<string, { path: string; runtimeArgs?: string[] }>;
    for (const p of PROFILE_EXPECTATIONS) {
      expect(runtimes[p.runtime]?.path).toBe(SHIM_BIN);
      expect(runtimes[p.runtime]?.runtimeArgs).toEqual(['--openclaw-config', fixture.config, '--profile', p.profile]);
    }
  });

  it('`install docker` on the live daemon.json: SIGHUP to the pidfile pid, dockerd reloads, and uninstall takes it back', async () => {
    const d = engines!.dockerd!;
    const inst = await cmd(SHIM_BIN, ['install', 'docker', '--config', d.daemonJson, '--name', 'openclaw-late', '--profile', 'default', '--pidfile', d.pidfile]);
    expect(inst.exitCode, inst.stderr).toBe(0);
    expect(inst.stderr).toMatch(new RegExp(`SIGHUP to dockerd \\(pid ${d.pid}\\)`));
    const seen = async () => (JSON.parse((await docker(['info', '--format', '{{json .Runtimes}}'])).stdout) as Record<string, unknown>)['openclaw-late'];
    await expect.poll(seen, { timeout: 10_000 }).toBeDefined();
    const again = await cmd(SHIM_BIN, ['install', 'docker', '--config', d.daemonJson, '--name', 'openclaw-late', '--profile', 'default', '--pidfile', d.pidfile]);
    expect(again.stderr).toMatch(/already up to date/);
    const un = await cmd(SHIM_BIN, ['uninstall', 'docker', '--config', d.daemonJson, '--name', 'openclaw-late', '--pidfile', d.pidfile]);
    expect(un.exitCode, un.stderr).toBe(0);
    await expect.poll(seen, { timeout: 10_000 }).toBeUndefined();
    // The other runtimes are untouched.
    const cfg = JSON.parse(readFileSync(d.daemonJson, 'utf8')) as { runtimes: Record<string, unknown> };
    expect(Object.keys(cfg.runtimes)).toContain('openclaw');
  });

  describe.each(PROFILE_EXPECTATIONS)('profile $profile (runtime $runtime)', (p) => {
    it(`docker run --rm works and the verifier sees what the profile promised${p.needsAgent ? ' (the shim starts the seccomp agent)' : ''}`, async () => {
      const r = await verifierRun(p.runtime, p.runArgs);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(checkFacts(parseFacts(r.stdout), p.facts), r.stdout).toEqual([]);
      if (p.needsAgent) expect(existsSync(join(fixtureDir, 'openclaw', 'agent', 'agent.sock'))).toBe(true);
    });
  });

  describe('docker options meet the default profile', () => {
    it.each(DEFAULT_PROFILE_OPTION_CASES)('$name', async (c) => {
      const network = c.args.includes('--network') ? [] : ['--network', 'none'];
      const r = await verifierRun('openclaw', c.args, network);
      if (c.refused) {
        expect(r.exitCode, r.stdout).not.toBe(0);
        for (const re of c.refused) expect(r.stderr).toMatch(re);
        return;
      }
      expect(r.exitCode, r.stderr).toBe(0);
      expect(checkFacts(parseFacts(r.stdout), c.facts ?? {}), r.stdout).toEqual([]);
    });
  });

  it('a profile path in runtimeArgs (test profile): its limits, a read-only root, and /output bound from the host', async () => {
    const r = await verifierRun('openclaw-e2e-small');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(checkFacts(parseFacts(r.stdout), { memory_v1: SMALL_LIMITS.memory, pids_v1: SMALL_LIMITS.pids, root_writable: 'no', output_writable: 'yes' }), r.stdout).toEqual([]);
    expect(existsSync(join(fixture.outputDir, '.openclaw-probe'))).toBe(true);
  });

  it('a profile that does not exist: docker run fails and shows the shim\'s reason', async () => {
    const r = await verifierRun('openclaw-missing-profile');
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/openclaw-runtime: .*no-such-profile/);
    expect(r.stderr).not.toMatch(/unable to retrieve OCI runtime error/);
  });

  /**
   * Ordinary workflows behave as with runc: each case runs under both runtimes and the
   * observable results (exit codes, output, state) must be equal.
   */
  const WORKFLOWS: Array<{ name: string; run: (rt: string, tag: string) => Promise<unknown> }> = [
    {
      name: 'exit code and both output streams',
      run: async (rt) => {
        const r = await docker(['run', '--rm', '--runtime', rt, '--network', 'none', TEST_IMAGE, 'sh', '-c', 'echo out; echo err >&2; exit 3']);
        return { code: r.exitCode, out: r.stdout, err: r.stderr };
      },
    },
    {
      name: 'stdin with -i',
      run: async (rt) => {
        const r = await docker(['run', '--rm', '-i', '--runtime', rt, '--network', 'none', TEST_IMAGE, 'cat'], { input: 'hello stdin\n' });
        return { code: r.exitCode, out: r.stdout };
      },
    },
    {
      name: '-t gives a terminal',
      run: async (rt) => {
        const r = await docker(['run', '--rm', '-t', '--runtime', rt, '--network', 'none', TEST_IMAGE, 'sh', '-c', '[ -t 1 ] && echo tty; stty size >/dev/null 2>&1 && echo size']);
        return { code: r.exitCode, out: r.stdout };
      },
    },
    {
      name: 'exec, logs, kill -s TERM to a trap',
      run: async (rt, tag) => {
        const name = `wf-exec-${tag}`;
        const started = await docker(['run', '-d', '--name', name, '--runtime', rt, '--network', 'none', TEST_IMAGE, 'sh', '-c', 'trap "echo bye; exit 7" TERM; echo logged; while :; do sleep 0.2; done']);
        const exec = await docker(['exec', name, 'sh', '-c', 'echo from-exec; exit 4']);
        const execEnv = await docker(['exec', '-e', 'X=1', name, 'sh', '-c', 'echo $X']);
        const kill = await docker(['kill', '-s', 'TERM', name]);
        await docker(['wait', name], { timeout: 30_000 });
        const logs = await docker(['logs', name]);
        const code = (await docker(['inspect', '-f', '{{.State.ExitCode}}', name])).stdout.trim();
        await docker(['rm', '-f', name]);
        return { started: started.exitCode, exec: [exec.exitCode, exec.stdout], execEnv: execEnv.stdout, kill: kill.exitCode, logs: logs.stdout, code };
      },
    },
    {
      name: 'stop (pid 1 ignores TERM, killed after the grace period)',
      run: async (rt, tag) => {
        const name = `wf-stop-${tag}`;
        await docker(['run', '-d', '--name', name, '--runtime', rt, '--network', 'none', TEST_IMAGE, 'sleep', '300']);
        const stop = await docker(['stop', '-t', '1', name], { timeout: 30_000 });
        const state = (await docker(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', name])).stdout.trim();
        await docker(['rm', '-f', name]);
        return { stop: stop.exitCode, state };
      },
    },
    {
      name: 'kill (SIGKILL) then start again, then rm -f while running',
      run: async (rt, tag) => {
        const name = `wf-kill-${tag}`;
        await docker(['run', '-d', '--name', name, '--runtime', rt, '--network', 'none', TEST_IMAGE, 'sleep', '300']);
        const kill = await docker(['kill', name]);
        await docker(['wait', name], { timeout: 30_000 });
        const killed = (await docker(['inspect', '-f', '{{.State.ExitCode}}', name])).stdout.trim();
        const restart = await docker(['start', name]);
        const running = (await docker(['inspect', '-f', '{{.State.Running}}', name])).stdout.trim();
        const rm = await docker(['rm', '-f', name]);
        const gone = (await docker(['ps', '-a', '-q', '--filter', `name=^${name}$`])).stdout.trim();
        return { kill: kill.exitCode, killed, restart: restart.exitCode, running, rm: rm.exitCode, gone };
      },
    },
  ];

  describe('workflows behave as with runc', () => {
    it.each(WORKFLOWS)('$name', async (w) => {
      const withRunc = await w.run('runc', 'runc');
      const withShim = await w.run('openclaw', 'openclaw');
      expect(withShim).toEqual(withRunc);
    });
  });
});
