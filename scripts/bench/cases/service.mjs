/**
 * v. The resident service itself: one create request's round trip (config, profile, merge,
 * atomic write; no runc) over its socket, p50/p90/p99, for the `default` and
 * `smythos-alternative` profiles with the shipped example config; and the service's and the
 * agent's resident memory afterwards.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeBundle, removeJobDirs } from '../lib/bundle.mjs';
import { median, p90, quantile } from '../lib/stats.mjs';
import { EXAMPLE_CONFIG, REPO, SHIM, warmService } from '../lib/tools.mjs';

export const id = 'v';
export const title = 'resident service: merge latency and memory';

function rssMiB(lockFile) {
  try {
    const pid = Number.parseInt(readFileSync(lockFile, 'utf8'), 10);
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

export async function run(ctx) {
  await warmService();
  const { callService } = await import(join(REPO, 'dist', 'service', 'client.js'));
  const { serviceDir } = await import(join(REPO, 'dist', 'service', 'paths.js'));
  const { SERVICE_PROTOCOL_VERSION } = await import(join(REPO, 'dist', 'service', 'protocol.js'));
  const dir = serviceDir(process.env);
  const breakdown = [];
  for (const profile of ['default', 'smythos-alternative']) {
    const bundle = makeBundle(join(ctx.work, `v-${profile}`), ctx.rootfs, ['true']);
    const req = {
      version: SERVICE_PROTOCOL_VERSION,
      cwd: bundle,
      self: SHIM,
      env: { PATH: process.env.PATH ?? '', OPENCLAW_CONFIG: EXAMPLE_CONFIG },
      argv: ['--profile', profile, 'create', `oc-bench-v-${process.pid}`],
    };
    const times = [];
    const reps = ctx.reps(200);
    for (let i = 0; i < ctx.warmup + reps; i++) {
      const t0 = performance.now();
      const r = await callService(dir, req);
      const ms = performance.now() - t0;
      if (r.status !== 'exec') throw new Error(`service answered ${r.status}: ${r.stderr.toString().trim()}`);
      if (i >= ctx.warmup) times.push(ms);
    }
    breakdown.push({ phase: `service create round trip (${profile}, example config), p50 (p90)`, median: median(times), p90: p90(times) });
    breakdown.push({ phase: `service create round trip (${profile}, example config), p99`, median: quantile(times, 0.99), p90: quantile(times, 0.99) });
  }
  removeJobDirs(`oc-bench-v-${process.pid}`); // the job directory each create request made
  const svc = rssMiB(join(dir, 'service.lock'));
  const agent = rssMiB('/run/openclaw/agent/seccomp-agent.sock.lock');
  if (svc !== undefined) breakdown.push({ phase: 'service RSS, MiB (no running containers)', median: svc, p90: svc });
  if (agent !== undefined) breakdown.push({ phase: 'seccomp agent RSS, MiB (as found)', median: agent, p90: agent });
  return { breakdown };
}
