/**
 * containerd end to end: a private containerd (test/helpers/daemons.ts; a private dockerd
 * too, only to build the image with docker import + docker save), the image imported with
 * `ctr images import`, and containers run by `ctr run --runc-binary`, which drives the runc v2
 * shim exactly as a CRI runtime entry with options.BinaryName does. containerd passes no
 * runtimeArgs, so the shim's config comes through a two-line wrapper that adds
 * --openclaw-config (fixtures.ts); the profile is the config's default or the
 * org.openclaw.profile annotation where the config allows it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cmd, missingPrerequisite, SHIM_BIN, startEngines, type Containerd, type Engines } from '../helpers/daemons.js';
import { ensureTestImage, TEST_IMAGE_CONTAINERD, VERIFIER } from '../helpers/images.js';
import { checkFacts, parseFacts, PROFILE_EXPECTATIONS } from './expectations.js';
import { SMALL_LIMITS, SMALL_PROFILE, writeShimFixture, type ShimFixture } from './fixtures.js';

const NS = 'openclaw-e2e';
const skip = missingPrerequisite();
if (skip) console.log(`[e2e containerd] skipped: ${skip}`);

let engines: Engines | undefined;
let ctr: (args: readonly string[], opts?: { timeout?: number; input?: string }) => ReturnType<Containerd['ctr']>;
let fixture: ShimFixture;
let fixtureDir: string;
let wrapper: string;
let seq = 0;
const id = (what: string) => `${what}-${process.pid}-${++seq}`;

function ctrRun(binary: string, args: readonly string[], command: readonly string[] = ['/bin/sh', VERIFIER]) {
  return ctr(['run', '--rm', '--runc-binary', binary, ...args, TEST_IMAGE_CONTAINERD, id('run'), ...command], { timeout: 60_000 });
}

describe.skipIf(skip)('containerd: ctr run --runc-binary openclaw-runtime (private containerd)', () => {
  beforeAll(async () => {
    fixtureDir = mkdtempSync('/tmp/oc-e2e-shim-');
    chmodSync(fixtureDir, 0o711);
    fixture = writeShimFixture(fixtureDir, SHIM_BIN);
    wrapper = fixture.wrapper('openclaw-runtime-e2e');
    engines = await startEngines({ docker: true });
    ctr = (args, o) => engines!.containerd.ctr(NS, args, o);
    await ensureTestImage(engines.dir, engines.dockerd!, { daemon: engines.containerd, namespace: NS });
  });

  afterAll(async () => {
    fixture?.stopAgent();
    await engines?.stop();
    if (fixtureDir) rmSync(fixtureDir, { recursive: true, force: true });
  });

  it('the imported image is there (docker save + ctr images import)', async () => {
    const r = await ctr(['images', 'ls', '-q']);
    expect(r.stdout.split('\n')).toContain(TEST_IMAGE_CONTAINERD);
  });

  it('plain runc through the same path runs the verifier (baseline)', async () => {
    const r = await ctrRun('runc', []);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(parseFacts(r.stdout).done).toBe('1');
  });

  /**
   * ctr's spec mounts no cgroup filesystem, so the container cannot read its own limits: run it
   * detached and read them from the host, at the cgroup path in the config.json the shim wrote.
   */
  async function runAndReadLimits(args: string[], factsFile = '/tmp/facts'): Promise<{ facts: ReturnType<typeof parseFacts>; memory: string; pids: string; spec: any }> {
    const name = id('limits');
    const started = await ctr(['run', '-d', '--runc-binary', wrapper, ...args, TEST_IMAGE_CONTAINERD, name, '/bin/sh', '-c', `/bin/sh ${VERIFIER} > ${factsFile}; sleep 30`]);
    expect(started.exitCode, started.stderr).toBe(0);
    try {
      const bundle = join(engines!.containerd.dir, 'state', 'io.containerd.runtime.v2.task', NS, name);
      const spec = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8'));
      const cg = spec.linux.cgroupsPath as string;
      const memory = readFileSync(join('/sys/fs/cgroup/memory', cg, 'memory.limit_in_bytes'), 'utf8').trim();
      const pids = readFileSync(join('/sys/fs/cgroup/pids', cg, 'pids.max'), 'utf8').trim();
      let factsText = '';
      await expect.poll(async () => (factsText = (await ctr(['tasks', 'exec', '--exec-id', 'cat', name, 'cat', factsFile])).stdout), { timeout: 10_000 }).toMatch(/done=1/);
      return { facts: parseFacts(factsText), memory, pids, spec };
    } finally {
      await ctr(['tasks', 'kill', '-s', 'SIGKILL', name]);
      await new Promise((r) => setTimeout(r, 300));
      await ctr(['tasks', 'delete', name]);
      await ctr(['containers', 'delete', name]);
    }
  }

  it('the config\'s default profile applies (no runtimeArgs from containerd)', async () => {
    const r = await runAndReadLimits([]);
    const def = PROFILE_EXPECTATIONS.find((p) => p.profile === 'default')!;
    const { memory_v1, pids_v1, ...inside } = def.facts;
    expect(checkFacts(r.facts, { ...inside, visible_pids: /^[0-9]+$/, pid1_comm: 'sh' }), JSON.stringify(r.facts)).toEqual([]);
    expect(r.memory).toBe(memory_v1);
    expect(r.pids).toBe(pids_v1);
    expect(r.spec.annotations['org.openclaw.profile.applied']).toBe('default');
  });

  it('the org.openclaw.profile annotation chooses an allowed profile', async () => {
    // Its root is read-only: the facts go to its writable /output.
    const r = await runAndReadLimits(['--annotation', `org.openclaw.profile=${SMALL_PROFILE}`], '/output/facts');
    expect(r.spec.annotations['org.openclaw.profile.applied']).toBe(SMALL_PROFILE);
    expect(r.memory).toBe(SMALL_LIMITS.memory);
    expect(r.pids).toBe(SMALL_LIMITS.pids);
    expect(checkFacts(r.facts, { root_writable: 'no', output_writable: 'yes' }), JSON.stringify(r.facts)).toEqual([]);
  });

  it('an annotation naming a profile the config does not allow is refused, with the reason in ctr\'s output', async () => {
    const r = await ctrRun(wrapper, ['--annotation', 'org.openclaw.profile=default-but-not-allowed']);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/openclaw-runtime: .*(allow|annotation)/i);
  });

  it('a missing profile: ctr run fails with the shim\'s reason', async () => {
    const bad = fixture.wrapper('openclaw-runtime-bad', ['--profile', 'no-such-profile']);
    const r = await ctrRun(bad, []);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/openclaw-runtime: .*no-such-profile/);
  });

  /** Task workflows give the same results under runc and under the shim. */
  it('run -d, exec, kill, delete behave as with runc', async () => {
    const flow = async (binary: string) => {
      const name = id('flow');
      const started = await ctr(['run', '-d', '--runc-binary', binary, TEST_IMAGE_CONTAINERD, name, 'sleep', '300']);
      const exec = await ctr(['tasks', 'exec', '--exec-id', 'e1', name, 'sh', '-c', 'echo from-exec; exit 4']);
      const ps = await ctr(['tasks', 'ls']);
      const running = ps.stdout.split('\n').some((l) => l.startsWith(name) && /RUNNING/.test(l));
      const kill = await ctr(['tasks', 'kill', '-s', 'SIGKILL', name]);
      await new Promise((r) => setTimeout(r, 500));
      const del = await ctr(['tasks', 'delete', name]);
      const cdel = await ctr(['containers', 'delete', name]);
      return { started: started.exitCode, exec: [exec.exitCode, exec.stdout], running, kill: kill.exitCode, del: del.exitCode, cdel: cdel.exitCode };
    };
    const withRunc = await flow('runc');
    const withShim = await flow(wrapper);
    expect(withShim).toEqual(withRunc);
  });

  it('`openclaw-runtime features` is runc\'s JSON plus the shim\'s annotation', async () => {
    const r = await cmd(SHIM_BIN, ['features']);
    expect(r.exitCode).toBe(0);
    const f = JSON.parse(r.stdout) as { annotations: Record<string, string>; potentiallyUnsafeConfigAnnotations: string[] };
    expect(f.annotations['org.openclaw.runtime.version']).toMatch(/^\d+\.\d+\.\d+/);
    expect(f.potentiallyUnsafeConfigAnnotations).toContain('org.openclaw.');
    const runc = JSON.parse((await cmd('runc', ['features'])).stdout) as { annotations: Record<string, string> };
    for (const [k, v] of Object.entries(runc.annotations)) expect(f.annotations[k]).toBe(v);
  });

  it('`install containerd` writes a runtime entry containerd itself reads (containerd config dump)', async () => {
    const cfg = join(engines!.dir, 'install-check.toml');
    writeFileSync(cfg, 'version = 2\n[plugins."io.containerd.grpc.v1.cri"]\n  sandbox_image = "example/pause:1"\n');
    const inst = await cmd(SHIM_BIN, ['install', 'containerd', '--config', cfg]);
    expect(inst.exitCode, inst.stderr).toBe(0);
    const dump = await cmd('containerd', ['--config', cfg, 'config', 'dump']);
    expect(dump.exitCode, dump.stderr).toBe(0);
    const section = dump.stdout.split('[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.openclaw]')[1] ?? '';
    expect(section).toMatch(/runtime_type = "io\.containerd\.runc\.v2"/);
    expect(section).toMatch(/pod_annotations = \["org\.openclaw\.\*"\]/);
    expect(section).toContain(`BinaryName = "${SHIM_BIN}"`);
    expect(dump.stdout).toContain('sandbox_image = "example/pause:1"'); // the rest of the CRI table survived
    const un = await cmd(SHIM_BIN, ['uninstall', 'containerd', '--config', cfg]);
    expect(un.exitCode).toBe(0);
    expect(readFileSync(cfg, 'utf8')).not.toContain('openclaw');
  });
});
