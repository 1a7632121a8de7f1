#!/usr/bin/env node
/**
 * `npm run bench`: the shim against plain runc in the same run, alternating (ABBA), after a
 * warm-up, with medians and p90 per variant. Prints a markdown table and writes
 * scripts/bench/results/latest.json. Needs root, runc, gcc, busybox-static and `npm run build`.
 *
 *   npm run bench -- [--cases a,s,b,c,d,f] [--reps N] [--warmup N] [--concurrency N] [--out FILE]
 *
 * Cases: a pass-through, s where a create's time goes, b create-start-delete, x exec into a running container, c docker run --rm (private dockerd),
 * d in-container syscall cost, e seccomp agent under attack (a neighbour's write-open p50/p99),
 * f 50 concurrent creates, v the resident service (merge round trip p50/p90/p99, memory), m service +
 * agent memory with 100 running smythos-alternative containers, k case b on crun (needs
 * /sys/fs/cgroup/unified hidden: cases/crun.mjs), o service and agent in one process or two, p a real
 * Python job (Debian python image) under runc and each shipped profile: in-container time and docker run wall time,
 * r a Kubernetes pod start through a private containerd CRI plugin (runc handler vs openclaw-default).
 * --reps N overrides every case's default repetition count.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { makeRootfs } from './lib/bundle.mjs';
import { machine, markdown } from './lib/report.mjs';
import { BENCH_DIR, buildHelpers, missingPrerequisite, workDir } from './lib/tools.mjs';
import * as passthrough from './cases/passthrough.mjs';
import * as cycle from './cases/cycle.mjs';
import * as docker from './cases/docker.mjs';
import * as syscalls from './cases/syscalls.mjs';
import * as agent from './cases/agent.mjs';
import * as concurrent from './cases/concurrent.mjs';
import * as startup from './cases/startup.mjs';
import * as service from './cases/service.mjs';
import * as python from './cases/python.mjs';
import * as denied from './cases/denied.mjs';
import * as memory from './cases/memory.mjs';
import * as crun from './cases/crun.mjs';
import * as cri from './cases/cri.mjs';
import * as exec from './cases/exec.mjs';
import * as oneproc from './cases/oneproc.mjs';

const CASES = [passthrough, startup, cycle, exec, docker, syscalls, agent, concurrent, service, python, denied, memory, crun, cri, oneproc];

const { values: opts } = parseArgs({
  options: {
    cases: { type: 'string', default: CASES.map((c) => c.id).join(',') },
    reps: { type: 'string' },
    warmup: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '50' },
    out: { type: 'string', default: join(BENCH_DIR, 'results', 'latest.json') },
    help: { type: 'boolean', default: false },
  },
});
if (opts.help) {
  process.stdout.write('npm run bench -- [--cases a,s,b,x,c,d,e,f,v,p,g,m,k,r,o] [--reps N] [--warmup N] [--concurrency N] [--out FILE]\n');
  process.exit(0);
}
const missing = missingPrerequisite();
if (missing) {
  process.stderr.write(`bench: ${missing}\n`);
  process.exit(1);
}

const log = (line) => process.stderr.write(`${line}\n`);
const wanted = new Set(opts.cases.split(',').map((s) => s.trim()).filter(Boolean));
const { dir: work, cleanup } = workDir();
const started = Date.now();
const results = { command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(), date: new Date().toISOString(), machine: machine(), rows: [], breakdown: [], skipped: [], errors: [] };
try {
  const helpers = buildHelpers(work);
  const ctx = {
    work,
    timeit: helpers.timeit,
    rootfs: makeRootfs(work, helpers.syscalls),
    errFile: join(work, 'stderr.log'),
    warmup: Number(opts.warmup),
    concurrency: Number(opts.concurrency),
    reps: (dflt) => (opts.reps ? Number(opts.reps) : dflt),
    log,
    onError: (label, err) => {
      if (results.errors.length < 50) results.errors.push(`${label}: ${err.message}`);
      log(`  ${label}: ${err.message}`);
    },
  };
  for (const c of CASES.filter((k) => wanted.has(k.id))) {
    const t0 = Date.now();
    log(`bench: case ${c.id} (${c.title})...`);
    try {
      const out = await c.run(ctx);
      if (Array.isArray(out)) results.rows.push(...out);
      else if (out.breakdown) results.breakdown.push(...out.breakdown);
      else results.skipped.push({ case: c.id, title: c.title, reason: out.skipped });
    } catch (err) {
      results.skipped.push({ case: c.id, title: c.title, reason: `failed: ${err.message}` });
      log(`  case ${c.id} failed: ${err.stack ?? err}`);
    }
    log(`  ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
} finally {
  cleanup();
}
results.seconds = Math.round((Date.now() - started) / 1000);
mkdirSync(dirname(opts.out), { recursive: true });
// Committed results carry no machine paths: failure messages name the run's temp directories.
const scrub = (text) => text.replace(/\/tmp\/[A-Za-z0-9._-]+/g, '<tmp>');
writeFileSync(opts.out, `${scrub(JSON.stringify(results, null, 2))}\n`);
process.stdout.write(`${markdown(results)}\n\n${results.machine.cores} x ${results.machine.cpu}, kernel ${results.machine.kernel}, ${results.machine.runc}, node ${results.machine.node}, load average ${results.machine.loadAverage?.join(" ")} at the start; ${results.seconds} s; JSON: ${relative(process.cwd(), opts.out)}\n`); // relative: results are committed without machine paths
