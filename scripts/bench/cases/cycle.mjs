/**
 * b. create, start, delete of a busybox bundle: through the shim vs runc with the config.json
 * the shim would have written (`merge` output), so both run the same container; for the
 * `default` and `smythos-alternative` profiles, without a config and with the shipped example.
 * The shim's bundle gets its pristine config.json back before each create (create rewrites it
 * in place), outside the timing. The subject is bin/openclaw-runtime (native launcher: create
 * merged by the resident service, start and delete exec'd); the sh launcher beside it.
 *
 * smythos-alternative maps the container's root to uid 100000: the work directory is made
 * traversable so the rootfs needs no re-bind for either side (that host action is the
 * integration tests' business), and its seccomp agent runs for both (listenerPath).
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeBindSources, makeBundle, mergedConfig, readConfigText, removeJobDirs, writeConfig, forceDelete } from '../lib/bundle.mjs';
import { row, pick } from '../lib/row.mjs';
import { CONFIGS, SHIM, SH_SHIM, alternate, timeSequence, useConfig, warmService } from '../lib/tools.mjs';

export const id = 'b';
export const title = 'create-start-delete cycle';
export const PROFILES = [
  // Beside the shim, in the same alternation: the shim with config [agent] log_filter_denials = true
  // (the only config in that variant), whose default containers connect to the seccomp agent
  // at create so that their filter's denials are logged: what that switch costs a create.
  { name: 'default', target: 1.2, logFilterDenials: true },
  { name: 'smythos-alternative', target: 1.2, args: ['/bin/true'] },
];

export async function run(ctx) {
  chmodSync(ctx.work, 0o711);
  await warmService();
  const rows = [];
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
  for (const profile of PROFILES) {
    for (const config of CONFIGS) {
      useConfig(config);
      const tag = `${profile.name}-${config.env ? 'example' : 'none'}`;
      const shimBundle = makeBundle(join(ctx.work, `b-shim-${tag}`), ctx.rootfs, profile.args ?? ['true']);
      const pristine = readConfigText(shimBundle);
      const runcBundle = makeBundle(join(ctx.work, `b-runc-${tag}`), ctx.rootfs, profile.args ?? ['true']);
      let merged;
      try {
        merged = mergedConfig(shimBundle, profile.name);
        writeConfig(runcBundle, merged);
      } catch (err) {
        ctx.onError(tag, err);
        continue;
      }
      const removeBindSources = makeBindSources(merged);
      const logged = profile.logFilterDenials && !config.env ? { name: 'no config but log_filter_denials = true', env: join(ctx.work, 'b-log-filter-denials.toml') } : undefined;
      if (logged) writeFileSync(logged.env, '[agent]\nlog_filter_denials = true\n');
      const LOGGED = 'openclaw, log_filter_denials = true';
      // runc itself with the config.json that switch gives (a listenerPath): the agent connection alone.
      const RUNC_LOGGED = 'runc, that config.json (listener)';
      let runcLoggedBundle;
      if (logged) {
        runcLoggedBundle = makeBundle(join(ctx.work, `b-runc-${tag}-logged`), ctx.rootfs, profile.args ?? ['true']);
        useConfig(logged);
        writeConfig(runcLoggedBundle, mergedConfig(shimBundle, profile.name));
        useConfig(config);
      }
      const samples = alternate(
        [
          { label: 'runc', before: () => useConfig(config), run: () => cycle('runc', [], runcBundle) },
          { label: 'openclaw', before: () => { useConfig(config); writeConfig(shimBundle, pristine); }, run: () => cycle(SHIM, ['--profile', profile.name], shimBundle) },
          { label: 'sh launcher', before: () => { useConfig(config); writeConfig(shimBundle, pristine); }, run: () => cycle(SH_SHIM, ['--profile', profile.name], shimBundle) },
          ...(logged ? [
            { label: LOGGED, before: () => { useConfig(logged); writeConfig(shimBundle, pristine); }, run: () => cycle(SHIM, ['--profile', profile.name], shimBundle) },
            { label: RUNC_LOGGED, before: () => useConfig(config), run: () => cycle('runc', [], runcLoggedBundle) },
          ] : []),
        ],
        { warmup: ctx.warmup, reps: ctx.reps(15), onError: ctx.onError },
      );
      useConfig(config);
      removeBindSources();
      rows.push(row({ caseId: id, measure: `create+start+delete (${profile.name}), ${config.name}`, unit: 'ms', baseline: pick(samples, 'runc'), subject: pick(samples, 'openclaw'), others: [pick(samples, 'sh launcher'), ...(logged ? [pick(samples, LOGGED), pick(samples, RUNC_LOGGED)] : [])], target: profile.target }));
    }
  }
  useConfig(CONFIGS[0]);
  removeJobDirs(`oc-bench-cycle-${process.pid}-`);
  return rows;
}
