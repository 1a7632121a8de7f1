/**
 * s. Where a `create` through the shim spends its time before runc runs: Node's start, module
 * loading, and each pipeline phase (lib/startup-probe.mjs in fresh processes), next to
 * `node -e 0` and runc's own create of the merged config. Medians over fresh processes.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeBundle, mergedConfig, writeConfig, forceDelete } from '../lib/bundle.mjs';
import { median, p90 } from '../lib/stats.mjs';
import { timeSequence } from '../lib/tools.mjs';

export const id = 's';
export const title = 'create path: where the time goes';
const PROFILE = 'default';
const PROBE = fileURLToPath(new URL('../lib/startup-probe.mjs', import.meta.url));

export function run(ctx) {
  const bundle = makeBundle(join(ctx.work, 's-bundle'), ctx.rootfs, ['true']);
  const runcBundle = makeBundle(join(ctx.work, 's-runc'), ctx.rootfs, ['true']);
  writeConfig(runcBundle, mergedConfig(bundle, PROFILE));
  const reps = ctx.reps(10);
  const phases = new Map();
  const add = (name, v) => phases.set(name, [...(phases.get(name) ?? []), v]);
  for (let i = 0; i < reps; i++) {
    add('`node -e 0` (for scale)', timeSequence(ctx.timeit, [[process.execPath, '-e', '0']], ctx.errFile));
    const r = spawnSync(process.execPath, [PROBE, bundle, PROFILE], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`startup probe failed: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    for (const [k, v] of Object.entries(JSON.parse(r.stdout))) add(k, v);
    const cid = `oc-bench-s-${process.pid}-${i}`;
    add('runc create (merged config)', timeSequence(ctx.timeit, [['runc', 'create', '--bundle', runcBundle, cid]], ctx.errFile));
    forceDelete(cid);
  }
  return { breakdown: [...phases].map(([phase, v]) => ({ phase, median: median(v), p90: p90(v), n: v.length })) };
}
