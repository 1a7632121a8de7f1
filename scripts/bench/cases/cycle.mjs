/**
 * b. create, start, delete of a busybox bundle: through the shim with the `default` profile vs
 * runc with the config.json the shim would have written (`merge` output), so both run the
 * same container. The shim's bundle gets its pristine config.json back before each create
 * (create rewrites it in place), outside the timing.
 */
import { join } from 'node:path';
import { makeBundle, mergedConfig, readConfigText, writeConfig, forceDelete } from '../lib/bundle.mjs';
import { row, pick } from '../lib/row.mjs';
import { SHIM, alternate, timeSequence } from '../lib/tools.mjs';

export const id = 'b';
export const title = 'create-start-delete cycle';
export const PROFILE = 'default';

export function run(ctx) {
  const shimBundle = makeBundle(join(ctx.work, 'b-shim'), ctx.rootfs, ['true']);
  const pristine = readConfigText(shimBundle);
  const runcBundle = makeBundle(join(ctx.work, 'b-runc'), ctx.rootfs, ['true']);
  writeConfig(runcBundle, mergedConfig(shimBundle, PROFILE));
  let n = 0;
  const cycle = (bin, pre, bundle) => {
    const cid = `oc-bench-cycle-${process.pid}-${n++}`;
    try {
      return timeSequence(ctx.timeit, [
        [bin, ...pre, 'create', '--bundle', bundle, cid],
        [bin, ...pre, 'start', cid],
        [bin, ...pre, 'delete', '--force', cid],
      ], ctx.errFile);
    } catch (err) {
      forceDelete(cid, SHIM);
      throw err;
    }
  };
  const samples = alternate(
    [
      { label: 'runc', run: () => cycle('runc', [], runcBundle) },
      { label: 'openclaw', before: () => writeConfig(shimBundle, pristine), run: () => cycle(SHIM, ['--profile', PROFILE], shimBundle) },
    ],
    { warmup: ctx.warmup, reps: ctx.reps(15), onError: ctx.onError },
  );
  return [row({ caseId: id, measure: `create+start+delete (${PROFILE})`, unit: 'ms', baseline: pick(samples, 'runc'), subject: pick(samples, 'openclaw'), target: 1.3 })];
}
