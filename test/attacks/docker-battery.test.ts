/**
 * The containment battery through a real dockerd (issue 5, part 2): a private dockerd
 * (test/helpers/daemons.ts) with one runtime per shipped profile (`--profile P
 * --openclaw-config <fixture>` in daemon.json's runtimeArgs), an image made of the battery's own
 * rootfs (busybox-static + /probe, docker-runner.ts), and EVERY probe in its own
 * `docker run --rm --network none --runtime=openclaw-<P>`. Outcomes are checked against the same
 * expectations/<P>.json as under plain runc; where Docker legitimately differs, the difference is
 * listed in DOCKER_DIFFERENCES below with its reason (the expectation files are not edited).
 *
 * Speed: non-resource probes run 4 containers at a time; the resource group (fork/memory bombs)
 * runs alone, so one bomb's pressure cannot change another probe's answer.
 * Needs root, dockerd/containerd/runc, the built shim and the agent addon (skipped otherwise).
 */
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { addDockerRuntime } from '../../shim/install/docker-config.js';
import { missingPrerequisite, REPO, SHIM_BIN, startEngines, type Engines } from '../helpers/daemons.js';
import { writeShimFixture, type ShimFixture } from '../e2e/fixtures.js';
import { compare, loadExpectations, type Mismatch } from './expectations.js';
import { importProbeImage, runProbesInDocker } from './docker-runner.js';
import { listProbes, type ProbeInfo } from './runner.js';

const PROFILES = ['default', 'smythos-alternative', 'model-backend'] as const;
const IMAGE = 'openclaw-test/attack-probe:latest';
const runtimeName = (p: string) => `openclaw-${p}`;

/**
 * Where an outcome through dockerd legitimately differs from the runc battery's expectation:
 * profile ('*' = every profile), probe, what Docker gives, and why. Only these are tolerated;
 * any other mismatch fails the test.
 */
export const DOCKER_DIFFERENCES: { profile: string; probe: string; got: string; reason: string }[] = [];

function skipReason(): string | undefined {
  const missing = missingPrerequisite(['containerd', 'containerd-shim-runc-v2', 'dockerd', 'docker', 'runc', 'busybox']);
  if (missing) return missing;
  if (!existsSync(join(REPO, 'addon', 'build', 'Release', 'openclaw_agent.node'))) return 'the seccomp agent addon is not built (scripts/build-addon.sh)';
  return undefined;
}
const SKIP = skipReason();
if (SKIP) console.log(`attack battery through dockerd skipped: ${SKIP}`);

function tolerated(profile: string, m: Mismatch): boolean {
  return DOCKER_DIFFERENCES.some((d) => (d.profile === '*' || d.profile === profile) && d.probe === m.probe && m.got.split(' ')[0] === d.got);
}

describe.skipIf(SKIP !== undefined)('containment battery through a real dockerd', () => {
  let engines: Engines | undefined;
  let fixture: ShimFixture | undefined;
  let fixtureDir = '';
  let probes: ProbeInfo[] = [];
  let host = '';

  beforeAll(async () => {
    const probeBinary = (await execa(join(REPO, 'scripts', 'build-probe.sh'))).stdout.trim().split('\n').pop()!;
    probes = await listProbes(probeBinary);
    fixtureDir = mkdtempSync('/tmp/oc-attack-docker-');
    chmodSync(fixtureDir, 0o711);
    fixture = writeShimFixture(fixtureDir, SHIM_BIN);
    let daemonJson: Record<string, unknown> = {};
    for (const p of PROFILES) {
      daemonJson = addDockerRuntime(daemonJson, { name: runtimeName(p), binary: SHIM_BIN, profile: p, openclawConfig: fixture.config }).config;
    }
    engines = await startEngines({ docker: true, daemonJson });
    host = engines.dockerd!.host;
    await importProbeImage({ host }, probeBinary, IMAGE);
  }, 180_000);

  afterAll(async () => {
    fixture?.stopAgent();
    await engines?.stop();
    if (fixtureDir) rmSync(fixtureDir, { recursive: true, force: true });
  }, 120_000);

  test.each(PROFILES.map((p) => [p]))('%s: every probe as under runc (documented Docker differences aside)', async (profile) => {
    const expectations = loadExpectations(profile);
    const opts = { runtime: runtimeName(profile), image: IMAGE };
    const resource = probes.filter((p) => p.group === 'resource').map((p) => p.name);
    const rest = probes.filter((p) => p.group !== 'resource').map((p) => p.name);
    const t0 = Date.now();
    const results = new Map([...(await runProbesInDocker({ host }, opts, rest, 4)), ...(await runProbesInDocker({ host }, opts, resource, 1))]);
    // Shows the answers were real (not every container failing the same way) next to the timing.
    const kinds: Record<string, number> = {};
    for (const r of results.values()) kinds[r.kind] = (kinds[r.kind] ?? 0) + 1;
    console.log(`[docker battery] ${profile}: ${results.size} probes in ${((Date.now() - t0) / 1000).toFixed(1)} s`, kinds);
    expect(results.size).toBe(probes.length);
    const mismatches = compare(expectations, results);
    const documented = mismatches.filter((m) => tolerated(profile, m));
    if (documented.length > 0) console.log(`[docker battery] ${profile}: documented differences`, documented);
    expect(mismatches.filter((m) => !tolerated(profile, m)), `profile ${profile} through dockerd: probe, expected, got`).toEqual([]);
  }, 240_000);
});
