/**
 * d. What a profile costs inside the container: the syscall microbenchmark (syscalls.c) and a
 * busybox-script workload, in three otherwise identical containers (the config.json the shim
 * writes for the `default` profile): its own seccomp filter, Docker 20.10's default filter
 * (captured from dockerd into test/attacks/baselines/), and no filter. Run with runc directly:
 * this measures the filter, not the shim.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeBundle, mergedConfig, writeConfig } from '../lib/bundle.mjs';
import { row } from '../lib/row.mjs';
import { REPO, alternate } from '../lib/tools.mjs';
// The shim's own lossless JSON: seccomp masks exceed 2^53 (JSON.parse would round them).
import { parseJsonLossless, stringifyJsonLossless, deepClone } from '../../../dist/util/json.js';

export const id = 'd';
export const title = 'in-container cost of the profile';
const PROFILE = 'default';
const DOCKER_SECCOMP = join(REPO, 'test', 'attacks', 'baselines', 'docker-default-seccomp.json');

/** Real work for busybox: forks and execs applets, writes, reads, compresses, lists. */
const WORKLOAD = [
  'i=0; while [ $i -lt 150 ]; do echo "line $i" >> /tmp/w; cat /tmp/w > /dev/null; i=$((i+1)); done',
  'tar -cf /tmp/bin.tar /bin 2>/dev/null; gzip -1 /tmp/bin.tar; gunzip -c /tmp/bin.tar.gz | md5sum > /dev/null',
  'find / -xdev 2>/dev/null | sort | wc -l > /dev/null',
].join('; ');

const PROGRAM = ['/bin/sh', '-c', `/syscalls ops && /syscalls run /bin/sh -c '${WORKLOAD}'`];

export function run(ctx) {
  const base = makeBundle(join(ctx.work, 'd-base'), ctx.rootfs, PROGRAM);
  const merged = parseJsonLossless(mergedConfig(base, PROFILE));
  const profileSeccomp = merged.linux?.seccomp;
  if (!profileSeccomp) throw new Error(`the ${PROFILE} profile's merged config has no linux.seccomp`);
  const dockerSeccomp = parseJsonLossless(readFileSync(DOCKER_SECCOMP, 'utf8'));
  delete dockerSeccomp._source;
  const variants = {
    [PROFILE]: profileSeccomp,
    'docker-default': dockerSeccomp,
    unconfined: undefined,
  };
  const bundles = {};
  for (const [label, seccomp] of Object.entries(variants)) {
    const cfg = deepClone(merged);
    cfg.root = { ...cfg.root, path: ctx.rootfs };
    if (seccomp) cfg.linux.seccomp = seccomp;
    else delete cfg.linux.seccomp;
    bundles[label] = join(ctx.work, `d-${label}`);
    makeBundle(bundles[label], ctx.rootfs, PROGRAM, () => stringifyJsonLossless(cfg));
  }
  let n = 0;
  const results = new Map(Object.keys(variants).map((l) => [l, []]));
  const once = (label) => {
    const r = spawnSync('runc', ['run', '--bundle', bundles[label], `oc-bench-d-${process.pid}-${n++}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    if (r.status !== 0) throw new Error(`${label}: container failed (${r.status}): ${r.stderr.trim().split('\n').slice(-2).join(' | ')}`);
    const [ops, work] = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const all = { ...ops, workload: work.workload / 1e6 };
    results.get(label).push(all);
    return all.workload;
  };
  const samples = alternate(Object.keys(variants).map((label) => ({ label, run: () => once(label) })), { warmup: Math.min(ctx.warmup, 1), reps: ctx.reps(5), onError: ctx.onError });
  const measures = Object.keys(results.get('unconfined')[0] ?? {});
  const series = (label, m) => ({ label, values: results.get(label).map((r) => r[m]), failures: samples.get(label).failures });
  return measures.map((m) => row({
    caseId: id,
    measure: m === 'workload' ? 'busybox workload' : m,
    unit: m === 'workload' ? 'ms' : 'ns/op',
    baseline: series('docker-default', m),
    subject: series(PROFILE, m),
    others: [series('unconfined', m)],
    target: m === 'workload' ? 1.02 : undefined,
  }));
}
