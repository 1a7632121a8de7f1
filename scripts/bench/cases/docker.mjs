/**
 * c. `docker run --rm` of the busybox test image through a private dockerd (started by
 * test/helpers/daemons.ts, which touches no system daemon): `--runtime=openclaw` (the shim
 * with runtimeArgs --profile default) vs `--runtime=runc`.
 */
import { join } from 'node:path';
import { row, pick } from '../lib/row.mjs';
import { importTestHelpers } from '../lib/ts-helpers.mjs';
import { SHIM, alternate, timeSequence, warmService, which } from '../lib/tools.mjs';

export const id = 'c';
export const title = 'docker run --rm';
const PROFILE = 'default';

export async function run(ctx) {
  for (const bin of ['dockerd', 'docker', 'containerd']) if (!which(bin)) return { skipped: `${bin} is not installed` };
  let helpers;
  try {
    helpers = await importTestHelpers(['daemons', 'images']);
  } catch (err) {
    return { skipped: `test/helpers/daemons.ts is not usable from the benchmark: ${err.message}` };
  }
  const { startEngines } = helpers.daemons;
  const { ensureTestImage, TEST_IMAGE } = helpers.images;
  if (typeof startEngines !== 'function' || typeof ensureTestImage !== 'function') return { skipped: 'test/helpers/daemons.ts has no startEngines/ensureTestImage' };
  await warmService();
  const engines = await startEngines({
    docker: true,
    daemonJson: { runtimes: { openclaw: { path: SHIM, runtimeArgs: ['--profile', PROFILE] } } },
    note: (l) => ctx.log(`  ${l}`),
  });
  try {
    const dockerd = engines.dockerd;
    await ensureTestImage(join(ctx.work, 'c-image'), dockerd);
    const dockerRun = (runtime) => () =>
      timeSequence(ctx.timeit, [['docker', '-H', dockerd.host, 'run', '--rm', '--network', 'none', `--runtime=${runtime}`, TEST_IMAGE, 'true']], ctx.errFile);
    const samples = alternate(
      [
        { label: 'runc', run: dockerRun('runc') },
        { label: 'openclaw', run: dockerRun('openclaw') },
      ],
      { warmup: ctx.warmup, reps: ctx.reps(12), onError: ctx.onError },
    );
    return [row({ caseId: id, measure: `docker run --rm (${PROFILE})`, unit: 'ms', baseline: pick(samples, 'runc'), subject: pick(samples, 'openclaw'), target: 1.05 })];
  } finally {
    await engines.stop();
  }
}
