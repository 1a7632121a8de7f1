/**
 * o. Should the resident service and the seccomp agent be one process? (issue #12: "the same
 * long-lived process as the seccomp agent, or its sibling; choose and justify".) Each variant
 * runs in a fresh process with the resident Node flags (lib/oneproc-probe.mjs): the agent
 * alone (idle), the service alone, both on one thread, and the agent on the main thread with
 * the merges in a worker_thread; N create merges of the `default` profile at a steady rate
 * (the service's handleRequest, real bundle, config.json reset before each). Measured: VmRSS
 * and RssAnon after the merges, and the main thread's event-loop delay during them, which is
 * what the agent's notification handling would wait for. Variants alternate, `reps` rounds.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeBundle } from '../lib/bundle.mjs';
import { median } from '../lib/stats.mjs';

export const id = 'o';
export const title = 'service and agent: one process or two';
const PROBE = fileURLToPath(new URL('../lib/oneproc-probe.mjs', import.meta.url));
const MODES = ['agent', 'service', 'combined-main', 'combined-worker'];
const MERGES = 200;
const RATE = 20;

export async function run(ctx) {
  const { RESIDENT_NODE_FLAGS } = await import('../../../dist/node-flags.js');
  const got = new Map(MODES.map((m) => [m, []]));
  const rounds = ctx.reps(3);
  for (let r = 0; r < rounds; r++) {
    for (const mode of r % 2 ? [...MODES].reverse() : MODES) {
      const work = join(ctx.work, `o-${r}-${mode}`);
      mkdirSync(work, { recursive: true });
      makeBundle(join(work, 'bundle'), ctx.rootfs, ['true']);
      const p = spawnSync(process.execPath, [...RESIDENT_NODE_FLAGS, PROBE, mode, work, String(MERGES), String(RATE)], { encoding: 'utf8', timeout: 120_000 });
      rmSync(work, { recursive: true, force: true });
      if (p.status !== 0) {
        ctx.onError(`o ${mode}`, new Error(p.stderr.trim().split('\n').slice(-3).join(' | ')));
        continue;
      }
      got.get(mode).push(JSON.parse(p.stdout.trim().split('\n').pop()));
    }
  }
  const breakdown = [];
  for (const [mode, runs] of got) {
    if (runs.length === 0) continue;
    const med = (f) => median(runs.map(f));
    breakdown.push(
      { phase: `${mode}: VmRSS after ${MERGES} merges, MiB`, median: med((x) => x.vmRssMiB), p90: Math.max(...runs.map((x) => x.vmRssMiB)), n: runs.length },
      { phase: `${mode}: RssAnon, MiB`, median: med((x) => x.rssAnonMiB), p90: Math.max(...runs.map((x) => x.rssAnonMiB)), n: runs.length },
      { phase: `${mode}: main-thread loop delay, largest over the run (module loading included), ms`, median: med((x) => x.maxLoopDelayMs), p90: Math.max(...runs.map((x) => x.maxLoopDelayMs)), n: runs.length },
      { phase: `${mode}: main-thread loop delay after warm-up, p99, ms`, median: med((x) => x.steadyLoopDelayMs.p99), p90: Math.max(...runs.map((x) => x.steadyLoopDelayMs.p99)), n: runs.length },
      { phase: `${mode}: main-thread loop delay after warm-up, max, ms`, median: med((x) => x.steadyLoopDelayMs.max), p90: Math.max(...runs.map((x) => x.steadyLoopDelayMs.max)), n: runs.length },
    );
  }
  return { breakdown };
}
