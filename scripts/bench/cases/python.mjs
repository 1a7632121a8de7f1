/**
 * p. A real Python job (the Debian python image of test/helpers/python-image.ts:
 * scripts/build-python-image.sh, cached) through a private dockerd: plain runc (Docker's own
 * seccomp filter) against each shipped profile through the shim, alternating. Two numbers per
 * profile: the job's own time measured inside the container (imports, numpy matmul, a 256 MiB
 * read, sqlite3, json: what the profile's filter and the agent cost a workload; target 1.02x),
 * and the wall time of the whole `docker run --rm` (start-up included; reported, no target).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { row, pick } from '../lib/row.mjs';
import { importTestHelpers } from '../lib/ts-helpers.mjs';
import { SHIM, alternate, which } from '../lib/tools.mjs';

export const id = 'p';
export const title = 'Python job in the real image';
const PROFILES = ['default', 'smythos-alternative', 'model-backend'];

/** Runs under every profile (no processes, no writes, no sockets); prints its own time. */
const JOB = `
import time
t0 = time.perf_counter()
import json, sqlite3
import numpy as np
a = np.random.default_rng(1).random((300, 300))
for _ in range(20):
    a = (a @ a) / a.shape[0]
n = 0
with open("/opt/data/big.bin", "rb", buffering=0) as f:
    buf = bytearray(1 << 20)
    while (k := f.readinto(buf)):
        n += k
db = sqlite3.connect(":memory:")
db.execute("create table t (k integer, v text)")
db.executemany("insert into t values (?, ?)", ((i, str(i)) for i in range(20000)))
rows = db.execute("select count(*), sum(k) from t").fetchone()
s = json.dumps([{"i": i, "s": str(i)} for i in range(20000)])
assert len(json.loads(s)) == 20000 and n == 256 << 20 and rows[0] == 20000
print(json.dumps({"ms": (time.perf_counter() - t0) * 1000}))
`;

export async function run(ctx) {
  for (const bin of ['dockerd', 'docker', 'containerd']) if (!which(bin)) return { skipped: `${bin} is not installed` };
  let helpers;
  try {
    helpers = await importTestHelpers(['daemons', 'python-image']);
  } catch (err) {
    return { skipped: `test/helpers are not usable from the benchmark: ${err.message}` };
  }
  const { startEngines } = helpers.daemons;
  const { prepareWorkloadImage, importIntoDocker, PYTHON_IMAGE } = helpers['python-image'];
  const work = join(ctx.work, 'p');
  mkdirSync(work, { recursive: true });
  chmodSync(ctx.work, 0o711);
  chmodSync(work, 0o711);
  const prepared = await prepareWorkloadImage(work);
  if (!prepared.ok) return { skipped: prepared.reason };
  // Its own openclaw config: state and the agent under the bench's temp directory.
  const config = join(work, 'config.toml');
  writeFileSync(config, [`[state]`, `dir = "${work}/state"`, `[agent]`, `socket = "${work}/agent/agent.sock"`, `denial_log = "${work}/denials.log"`, ''].join('\n'));
  const runtimes = {};
  for (const p of PROFILES) runtimes[`openclaw-${p}`] = { path: SHIM, runtimeArgs: ['--openclaw-config', config, '--profile', p] };
  const engines = await startEngines({ docker: true, daemonJson: { runtimes }, note: (l) => ctx.log(`  ${l}`) });
  try {
    const dockerd = engines.dockerd;
    await importIntoDocker(dockerd.docker, prepared.image);
    const inside = new Map();
    const once = (runtime) => () => {
      const t0 = process.hrtime.bigint();
      const r = spawnSync('docker', ['-H', dockerd.host, 'run', '--rm', '--network', 'none', `--runtime=${runtime}`, PYTHON_IMAGE, 'python3', '-c', JOB], { encoding: 'utf8', timeout: 120_000 });
      const wall = Number(process.hrtime.bigint() - t0) / 1e6;
      if (r.status !== 0) throw new Error(`${runtime}: docker run failed (${r.status}): ${(r.stderr ?? '').trim().split('\n').slice(-2).join(' | ')}`);
      const ms = JSON.parse(r.stdout.trim().split('\n').pop()).ms;
      if (!inside.has(runtime)) inside.set(runtime, { values: [], failures: 0 });
      inside.get(runtime).values.push(ms);
      return wall;
    };
    const variants = [{ label: 'runc', run: once('runc') }, ...PROFILES.map((p) => ({ label: `openclaw-${p}`, run: once(`openclaw-${p}`) }))];
    const walls = alternate(variants, { warmup: Math.min(ctx.warmup, 1), reps: ctx.reps(8), onError: ctx.onError });
    // Warm-up samples went into `inside` too: keep only the measured ones (the last reps of each).
    const measured = (label) => {
      const n = walls.get(label).values.length;
      const s = inside.get(label) ?? { values: [] };
      return { label, values: s.values.slice(-n), failures: walls.get(label).failures };
    };
    const rows = [];
    for (const p of PROFILES) {
      const label = `openclaw-${p}`;
      rows.push(row({ caseId: id, measure: `python job, in-container time (${p})`, unit: 'ms', baseline: measured('runc'), subject: measured(label), target: 1.02 }));
      rows.push(row({ caseId: id, measure: `python job, docker run --rm wall time (${p})`, unit: 'ms', baseline: pick(walls, 'runc'), subject: pick(walls, label) }));
    }
    return rows;
  } finally {
    await engines.stop();
    spawnSync('sh', ['-c', `[ -f "${work}/agent/agent.sock.lock" ] && kill "$(cat "${work}/agent/agent.sock.lock")"`]);
  }
}
