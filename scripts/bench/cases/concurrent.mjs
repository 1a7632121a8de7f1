/**
 * f. 50 creates at once (what an engine does when many containers start together): total
 * wall time until the last one returned, and how many failed. Shim (`default` profile, one
 * bundle each, as create rewrites config.json) vs runc with the merged config. The
 * containers are deleted afterwards, outside the timing.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { makeBundle, mergedConfig, readConfigText, writeConfig, forceDelete } from '../lib/bundle.mjs';
import { row, pick } from '../lib/row.mjs';
import { SHIM } from '../lib/tools.mjs';

export const id = 'f';
export const title = '50 concurrent creates';
const PROFILE = 'default';

function waitAll(procs) {
  return Promise.all(procs.map((p) => new Promise((resolve) => {
    p.on('error', () => resolve(1));
    p.on('close', (code) => resolve(code ?? 1));
  })));
}

export async function run(ctx) {
  const count = ctx.concurrency ?? 50;
  const shimBundles = [];
  const runcBundles = [];
  for (let i = 0; i < count; i++) {
    shimBundles.push(makeBundle(join(ctx.work, `f-shim-${i}`), ctx.rootfs, ['true']));
    runcBundles.push(makeBundle(join(ctx.work, `f-runc-${i}`), ctx.rootfs, ['true']));
  }
  const pristine = readConfigText(shimBundles[0]);
  const merged = mergedConfig(shimBundles[0], PROFILE);
  for (const b of runcBundles) writeConfig(b, merged);

  let round = 0;
  const failures = { runc: 0, openclaw: 0 };
  const burst = async (label, bin, pre, bundles) => {
    const r = round++;
    const ids = bundles.map((_, i) => `oc-bench-f-${process.pid}-${r}-${i}`);
    const t0 = process.hrtime.bigint();
    const codes = await waitAll(bundles.map((b, i) => spawn(bin, [...pre, 'create', '--bundle', b, ids[i]], { stdio: 'ignore' })));
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    failures[label] += codes.filter((c) => c !== 0).length;
    await waitAll(ids.map((cid) => spawn(SHIM, ['delete', '--force', cid], { stdio: 'ignore' })));
    for (const cid of ids) forceDelete(cid);
    return ms;
  };
  // alternate() is synchronous; bursts are few, so run them in ABBA order here.
  const reps = ctx.reps(2);
  const samples = new Map([['runc', { values: [], failures: 0 }], ['openclaw', { values: [], failures: 0 }]]);
  for (let r = 0; r < reps; r++) {
    const order = r % 2 === 0 ? ['runc', 'openclaw'] : ['openclaw', 'runc'];
    for (const label of order) {
      if (label === 'openclaw') for (const b of shimBundles) writeConfig(b, pristine);
      const ms = label === 'runc' ? await burst(label, 'runc', [], runcBundles) : await burst(label, SHIM, ['--profile', PROFILE], shimBundles);
      samples.get(label).values.push(ms);
    }
  }
  samples.get('runc').failures = failures.runc;
  samples.get('openclaw').failures = failures.openclaw;
  return [row({ caseId: id, measure: `${count} concurrent creates, total`, unit: 'ms', baseline: pick(samples, 'runc'), subject: pick(samples, 'openclaw'), note: `failed creates: runc ${failures.runc}, openclaw ${failures.openclaw} (of ${count * reps} each)` })];
}
