/**
 * a. Pass-through: `state`, `features`, `--version` through the shim (with Docker's runtimeArgs
 * `--profile default` in front) vs runc. `features` is a shim command (it adds the shim's
 * annotations), so it pays for Node.
 */
import { join } from 'node:path';
import { makeBundle, forceDelete } from '../lib/bundle.mjs';
import { row, pick } from '../lib/row.mjs';
import { SHIM, alternate, timeSequence } from '../lib/tools.mjs';

export const id = 'a';
export const title = 'pass-through commands';

export function run(ctx) {
  const cid = `oc-bench-state-${process.pid}`;
  const bundle = makeBundle(join(ctx.work, 'a-bundle'), ctx.rootfs, ['true']);
  // Through timeit: the created container keeps runc's stdio open, so no pipes.
  timeSequence(ctx.timeit, [['runc', 'create', '--bundle', bundle, cid]], ctx.errFile);
  try {
    const commands = [
      { measure: 'state', args: ['state', cid] },
      { measure: '--version', args: ['--version'] },
      { measure: 'features', args: ['features'], note: 'a shim command: runs in Node' },
    ];
    return commands.map((c) => {
      const samples = alternate(
        [
          { label: 'runc', run: () => timeSequence(ctx.timeit, [['runc', ...c.args]], ctx.errFile) },
          { label: 'openclaw', run: () => timeSequence(ctx.timeit, [[SHIM, '--profile', 'default', ...c.args]], ctx.errFile) },
        ],
        { warmup: ctx.warmup, reps: ctx.reps(30), onError: ctx.onError },
      );
      return row({ caseId: id, measure: c.measure, unit: 'ms', baseline: pick(samples, 'runc'), subject: pick(samples, 'openclaw'), target: 1.05, note: c.note });
    });
  } finally {
    forceDelete(cid);
  }
}
