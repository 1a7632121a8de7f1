/**
 * a. Pass-through: `state`, `list` and `features` through the shim (with Docker's
 * runtimeArgs `--profile default` in front) vs runc, without a config and with the shipped
 * example config. The subject is bin/openclaw-runtime (the native launcher: pass-through is
 * an exec of runc, the runtime from the resolved-runtime record; features from the resident
 * service, computed once per runc binary); bin/openclaw-runtime.sh is measured beside it.
 * `--version` is not measured: with no command it is answered by Node (the shim's version
 * lines, then runc's; shim/commands/top-level.ts), which no engine calls per container.
 */
import { join } from 'node:path';
import { makeBundle, forceDelete } from '../lib/bundle.mjs';
import { row, pick } from '../lib/row.mjs';
import { CONFIGS, SHIM, SH_SHIM, alternate, timeSequence, useConfig, warmService } from '../lib/tools.mjs';

export const id = 'a';
export const title = 'pass-through commands';

export async function run(ctx) {
  const cid = `oc-bench-state-${process.pid}`;
  const bundle = makeBundle(join(ctx.work, 'a-bundle'), ctx.rootfs, ['true']);
  // Through timeit: the created container keeps runc's stdio open, so no pipes.
  timeSequence(ctx.timeit, [['runc', 'create', '--bundle', bundle, cid]], ctx.errFile);
  await warmService();
  const rows = [];
  try {
    const commands = [
      { measure: 'state', args: ['state', cid], target: 1.02 },
      { measure: 'list', args: ['list'], target: 1.02 },
      { measure: 'features', args: ['features'], target: 1.05, note: 'a shim command: answered by the resident service' },
    ];
    for (const config of CONFIGS) {
      for (const c of commands) {
        const samples = alternate(
          [
            { label: 'runc', before: () => useConfig(config), run: () => timeSequence(ctx.timeit, [['runc', ...c.args]], ctx.errFile) },
            { label: 'openclaw', before: () => useConfig(config), run: () => timeSequence(ctx.timeit, [[SHIM, '--profile', 'default', ...c.args]], ctx.errFile) },
            { label: 'sh launcher', before: () => useConfig(config), run: () => timeSequence(ctx.timeit, [[SH_SHIM, '--profile', 'default', ...c.args]], ctx.errFile) },
          ],
          { warmup: ctx.warmup, reps: ctx.reps(30), onError: ctx.onError },
        );
        rows.push(row({ caseId: id, measure: `${c.measure}, ${config.name}`, unit: 'ms', baseline: pick(samples, 'runc'), subject: pick(samples, 'openclaw'), others: [pick(samples, 'sh launcher')], target: c.target, note: c.note }));
      }
    }
  } finally {
    useConfig(CONFIGS[0]);
    forceDelete(cid);
  }
  return rows;
}
