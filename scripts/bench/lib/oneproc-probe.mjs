/**
 * One variant of bench case o (cases/oneproc.mjs), in a fresh process started with the
 * resident processes' Node flags: `node FLAGS oneproc-probe.mjs MODE WORK N RATE`.
 * MODE: agent (the seccomp agent alone, idle), service (N create merges on the main thread),
 * combined-main (agent + merges on one thread), combined-worker (agent on the main thread,
 * merges in a worker_thread). Merges are the service's own handleRequest on real bundles
 * (config.json reset before each, so each is a full merge and write), RATE per second.
 * Prints JSON: VmRSS and RssAnon (MiB) after the merges, and the main thread's event-loop
 * delay while they ran (what an agent notification arriving then would wait, at most): the
 * largest over the whole run (module loading included), and p50/p99/max after WARM merges.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { REPO, SHIM } from './tools.mjs';

const dist = (p) => import(join(REPO, 'dist', p));

const WARM = 10;

/** n merges at `rate` per second; onWarm after the first WARM (module loading, profile compile). */
async function merges(work, n, rate, onWarm) {
  const { handleRequest } = await dist('service/handle.js');
  const { SERVICE_PROTOCOL_VERSION } = await dist('service/protocol.js');
  const bundle = join(work, 'bundle');
  const pristine = readFileSync(join(bundle, 'config.json'));
  const ctx = { serviceDir: join(work, 'service'), featuresCache: new Map() };
  const gap = 1000 / rate;
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const due = start + i * gap;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    writeFileSync(join(bundle, 'config.json'), pristine);
    const r = await handleRequest(ctx, { version: SERVICE_PROTOCOL_VERSION, cwd: bundle, self: SHIM, env: { PATH: process.env.PATH ?? '' }, argv: ['--profile', 'default', 'create', `oc-bench-o-${i}`] }, process.pid);
    if (r.status !== 'exec') throw new Error(`merge ${i}: ${r.status} ${r.stderr.toString()}`);
    if (i === WARM - 1) onWarm();
  }
}

function memory() {
  const s = readFileSync('/proc/self/status', 'utf8');
  const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(s)?.[1] ?? NaN) / 1024;
  return { vmRssMiB: kb('VmRSS'), rssAnonMiB: kb('RssAnon') };
}

async function startAgent(work) {
  const { AgentServer } = await dist('agent/server.js');
  const server = new AgentServer({ socketPath: join(work, 'agent', 'agent.sock'), denialLog: join(work, 'denials.log'), log: () => undefined });
  server.start();
  return server;
}

if (!isMainThread) {
  await merges(workerData.work, workerData.n, workerData.rate, () => parentPort.postMessage('warm'));
  parentPort.postMessage('done');
} else {
  const [mode, work, nArg, rateArg] = process.argv.slice(2);
  const n = Number(nArg);
  const rate = Number(rateArg);
  const agent = mode === 'service' ? undefined : await startAgent(work);
  const all = monitorEventLoopDelay({ resolution: 1 });
  const steady = monitorEventLoopDelay({ resolution: 1 });
  all.enable();
  const warm = () => steady.enable();
  if (mode === 'service' || mode === 'combined-main') await merges(work, n, rate, warm);
  if (mode === 'combined-worker') {
    const w = new Worker(new URL(import.meta.url), { workerData: { work, n, rate } });
    await new Promise((resolve, reject) => {
      w.on('message', (m) => (m === 'warm' ? warm() : resolve()));
      w.on('error', reject);
    });
    // The worker stays, as a resident one would.
    w.unref();
  }
  if (mode === 'agent') {
    await new Promise((r) => setTimeout(r, WARM * (1000 / rate)));
    warm();
    await new Promise((r) => setTimeout(r, (n - WARM) * (1000 / rate)));
  }
  all.disable();
  steady.disable();
  await new Promise((r) => setTimeout(r, 200));
  const out = { mode, ...memory(), maxLoopDelayMs: all.max / 1e6, steadyLoopDelayMs: { p50: steady.percentile(50) / 1e6, p99: steady.percentile(99) / 1e6, max: steady.max / 1e6 } };
  agent?.stop?.();
  process.stdout.write(`${JSON.stringify(out)}\n`);
  process.exit(0);
}
