/**
 * Podman end to end: a private Podman (test/helpers/podman.ts) with one runtime per shipped
 * profile in its containers.conf, written by `openclaw-runtime install podman --profile P`
 * (a generated launcher: Podman passes a runtime no arguments of ours). Per profile: run -d,
 * the verifier (sourced by the container's shell, no process started) confirms the profile
 * inside, exec, stop, rm. Refusals show in Podman's own output.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { cmd, SHIM_BIN } from '../helpers/daemons.js';
import { podmanPrerequisite, PODMAN_RUN_ARGS, PODMAN_TEST_IMAGE, startPodman, type PrivatePodman } from '../helpers/podman.js';
import { VERIFIER } from '../helpers/images.js';
import { checkFacts, parseFacts, PROFILE_EXPECTATIONS } from './expectations.js';
import { writeShimFixture, type ShimFixture } from './fixtures.js';

const skip = podmanPrerequisite();
if (skip) console.log(`[e2e podman] skipped: ${skip}`);

let pm: PrivatePodman;
let fixture: ShimFixture;
let fixtureDir: string;
let seq = 0;
const name = (what: string) => `${what}-${process.pid}-${++seq}`;

async function until<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await get();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(v)} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(skip)('Podman: --runtime per shipped profile (private root, containers.conf from install podman)', () => {
  beforeAll(async () => {
    fixtureDir = mkdtempSync('/tmp/oc-e2e-podman-');
    chmodSync(fixtureDir, 0o711);
    fixture = writeShimFixture(fixtureDir, SHIM_BIN);
    pm = await startPodman();
    appendFileSync(fixture.config, `[engines]\npodman_roots = ["${pm.root}", "${pm.runroot}"]\n`);
    for (const p of PROFILE_EXPECTATIONS) {
      const r = await cmd(SHIM_BIN, ['install', 'podman', '--config', pm.containersConf, '--name', `openclaw-${p.profile}`, '--profile', p.profile, '--openclaw-config', fixture.config, '--launcher-dir', `${fixtureDir}/launchers`]);
      if (r.exitCode !== 0) throw new Error(`install podman failed: ${r.stderr}`);
    }
  }, 300_000);

  afterAll(async () => {
    fixture?.stopAgent();
    await pm?.stop();
    if (fixtureDir) rmSync(fixtureDir, { recursive: true, force: true });
  });

  it('plain runc (baseline): the verifier runs under Podman\'s own defaults', async () => {
    const r = await pm.podman(['run', '--rm', '--runtime', 'runc', ...PODMAN_RUN_ARGS, PODMAN_TEST_IMAGE, '/bin/sh', VERIFIER]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(parseFacts(r.stdout)).toMatchObject({ seccomp: '2', done: '1' }); // Podman's own default filter
  }, 120_000);

  for (const p of PROFILE_EXPECTATIONS) {
    it(`${p.profile}: run, exec, stop, rm; the verifier confirms the profile inside`, async () => {
      const n = name(p.profile);
      const run = await pm.podman(['run', '-d', '-i', '--name', n, '--runtime', `openclaw-${p.profile}`, ...PODMAN_RUN_ARGS, PODMAN_TEST_IMAGE, '/bin/sh', '-c', `. ${VERIFIER}; read line`]);
      try {
        expect(run.exitCode, run.stderr).toBe(0);
        const logs = await until('verifier output', async () => (await pm.podman(['logs', n])).stdout, (s) => s.includes('done=1'));
        // Podman gives the image's / mode 0555 (seen: `ls -ld /` under plain runc), and every profile
        // drops CAP_DAC_OVERRIDE, so a file cannot be created in / even on a read-write root mount;
        // root_mount (the mount flag the profile decides) is compared instead.
        const { visible_pids, root_writable, ...facts } = p.facts;
        expect(checkFacts(parseFacts(logs), { ...facts, visible_pids: '1' }), logs).toEqual([]);
        const exec = await pm.podman(['exec', n, '/bin/sh', '-c', 'echo exec-ok']);
        // Whether an exec may start a program under the strict profiles is the exec clamp's
        // business (runc exec through the shim); the default profile allows it.
        if (!p.needsAgent) expect(exec).toMatchObject({ exitCode: 0, stdout: 'exec-ok\n' });
        expect((await pm.podman(['inspect', '-f', '{{ .State.Status }}', n])).stdout.trim()).toBe('running');
        const stop = await pm.podman(['stop', '-t', '1', n]);
        expect(stop.exitCode, stop.stderr).toBe(0);
        const state = await pm.podman(['inspect', '-f', '{{ .State.Status }}', n]);
        expect(state.stdout.trim()).toBe('exited');
      } finally {
        const rm = await pm.podman(['rm', '-f', n]);
        expect(rm.exitCode, rm.stderr).toBe(0);
      }
    }, 120_000);
  }

  it.each([
    { what: 'a bind of /etc', args: ['-v', '/etc:/host-etc:ro'], msg: /openclaw-runtime: .*\/etc.*never allows it/ },
    { what: '--network host', args: ['--network', 'host'], msg: /openclaw-runtime: .*network namespace.*--network host/ },
    { what: '--privileged', args: ['--privileged'], msg: /openclaw-runtime: .*every host device.*without --privileged/ },
  ])('$what is refused under default, with the reason in Podman\'s output', async ({ args, msg }) => {
    const runArgs = PODMAN_RUN_ARGS.filter((a, i, all) => !(args.includes('--network') && (a === '--network' || all[i - 1] === '--network')));
    const r = await pm.podman(['run', '--rm', '--runtime', 'openclaw-default', ...runArgs, ...args, PODMAN_TEST_IMAGE, '/bin/true']);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(msg);
  }, 120_000);
});
