/**
 * k. Case b on crun: create, start, delete of a busybox bundle through the shim with crun as
 * the runtime (the example config plus `[runtime] candidates = [crun]`) vs crun itself with the
 * config.json the shim would have written, for the `default` and `smythos-alternative` profiles.
 *
 * crun 1.8 fails on this kind of host (cgroup v1 with the unified hierarchy mounted at
 * /sys/fs/cgroup/unified, FIELD-NOTES), so this case runs only where no cgroup2 is mounted there:
 *   unshare -m --propagation private sh -c \
 *     'mount -t tmpfs -o mode=0755 openclaw-hidden /sys/fs/cgroup/unified && npm run bench -- --cases k'
 * (the tests do the same: test/helpers/daemons.ts hideUnifiedCgroup). The service answers only
 * callers in its own mount namespace, so the case starts one in this namespace.
 */
import { chmodSync, readFileSync, statfsSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { makeBindSources, makeBundle, mergedConfig, readConfigText, removeJobDirs, writeConfig } from '../lib/bundle.mjs';
import { row, pick } from '../lib/row.mjs';
import { EXAMPLE_CONFIG, SHIM, alternate, timeSequence, warmService, which } from '../lib/tools.mjs';
import { PROFILES } from './cycle.mjs';

export const id = 'k';
export const title = 'create-start-delete cycle on crun';

const CGROUP2_SUPER_MAGIC = 0x63677270;

function cgroup2At(path) {
  try {
    return statfsSync(path).type === CGROUP2_SUPER_MAGIC;
  } catch {
    return false;
  }
}

export async function run(ctx) {
  const crun = which('crun');
  if (!crun) return { skipped: 'crun not found on PATH' };
  if (cgroup2At('/sys/fs/cgroup/unified')) {
    return { skipped: 'crun fails while /sys/fs/cgroup/unified is mounted: run this case under unshare -m with it hidden (see scripts/bench/cases/crun.mjs)' };
  }
  chmodSync(ctx.work, 0o711);
  const config = join(ctx.work, 'k-config.toml');
  const example = readFileSync(EXAMPLE_CONFIG, 'utf8');
  const withCrun = example.replace(/^candidates = .*$/m, `candidates = ["${crun}"]`);
  if (withCrun === example) return { skipped: 'the example config has no [runtime] candidates line to point at crun' };
  writeFileSync(config, withCrun);
  const crunRoot = join(ctx.work, 'k-crun');
  process.env.OPENCLAW_CONFIG = config;
  // The resident service answers only callers in its own mount namespace (service/server.ts;
  // others get the Node path): this namespace gets its own service, stopped at the end.
  const serviceDir = join(ctx.work, 'k-service');
  process.env.OPENCLAW_SERVICE_DIR = serviceDir;
  await warmService();
  const rows = [];
  let n = 0;
  const cycle = (argv0, bundle) => {
    const cid = `oc-bench-crun-${process.pid}-${n++}`;
    try {
      return timeSequence(ctx.timeit, [
        [...argv0, 'create', '--bundle', bundle, cid],
        [...argv0, 'start', cid],
        [...argv0, 'delete', '--force', cid],
      ], ctx.errFile);
    } catch (err) {
      spawnSync(crun, ['--root', crunRoot, 'delete', '--force', cid], { stdio: 'ignore' });
      throw err;
    }
  };
  try {
    for (const profile of PROFILES) {
      const shimBundle = makeBundle(join(ctx.work, `k-shim-${profile.name}`), ctx.rootfs, profile.args ?? ['true']);
      const pristine = readConfigText(shimBundle);
      const crunBundle = makeBundle(join(ctx.work, `k-crun-${profile.name}`), ctx.rootfs, profile.args ?? ['true']);
      let merged;
      try {
        merged = mergedConfig(shimBundle, profile.name);
        writeConfig(crunBundle, merged);
      } catch (err) {
        ctx.onError(`crun ${profile.name}`, err);
        continue;
      }
      const removeBindSources = makeBindSources(merged);
      const samples = alternate(
        [
          { label: 'crun', run: () => cycle([crun, '--root', crunRoot], crunBundle) },
          { label: 'openclaw', before: () => writeConfig(shimBundle, pristine), run: () => cycle([SHIM, '--profile', profile.name, '--root', crunRoot], shimBundle) },
        ],
        { warmup: ctx.warmup, reps: ctx.reps(15), onError: ctx.onError },
      );
      removeBindSources();
      rows.push(row({ caseId: id, measure: `create+start+delete on crun (${profile.name}), example config + crun`, unit: 'ms', baseline: pick(samples, 'crun'), subject: pick(samples, 'openclaw'), target: profile.target }));
    }
  } finally {
    delete process.env.OPENCLAW_CONFIG;
    delete process.env.OPENCLAW_SERVICE_DIR;
    try {
      process.kill(Number.parseInt(readFileSync(join(serviceDir, 'service.lock'), 'utf8'), 10), 'SIGTERM');
    } catch {
      /* not running */
    }
    removeJobDirs(`oc-bench-crun-${process.pid}-`);
  }
  return rows;
}
