/**
 * m. Memory with many running strict containers (issue #12: "the service + agent RSS with 100
 * running strict containers <= 80 MiB"): N `smythos-alternative` containers running `sleep`
 * are created and started through the shim (native launcher -> resident service; each one's
 * seccomp listener connects to the agent), then the service's and the agent's memory is read
 * from /proc/PID/status, then they are deleted through the shim.
 *
 * A private config (state dir, agent socket and denial log under the work dir, runc --root
 * there too): the agent measured is the one this checkout started for these containers, never
 * one found running for someone else. The service is this checkout's (service/paths.ts).
 * VmRSS counts the node binary's shared text in both processes; RssAnon is each one's own.
 * OC_BENCH_PROFILE=default runs `default` containers instead, with [agent] log_filter_denials = true
 * (the only way a default container connects to the agent): the agent's cost of that switch.
 */
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { makeBundle } from '../lib/bundle.mjs';
import { REPO, SHIM, warmService } from '../lib/tools.mjs';

export const id = 'm';
export const title = 'memory: service + agent with N running smythos-alternative containers (OC_BENCH_PROFILE=default: default ones with log_filter_denials)';
const TARGET_MIB = 80;

function memory(pidFile) {
  try {
    const pid = Number.parseInt(readFileSync(pidFile, 'utf8'), 10);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN);
    return { pid, rss: kib('VmRSS') / 1024, anon: kib('RssAnon') / 1024, hwm: kib('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

export async function run(ctx) {
  const count = Number(process.env.OC_BENCH_CONTAINERS ?? 100);
  chmodSync(ctx.work, 0o711); // traversable by the mapped ids (as case b)
  const state = join(ctx.work, 'm-state');
  mkdirSync(state, { recursive: true, mode: 0o711 });
  const socket = join(state, 'agent', 'agent.sock');
  const config = join(ctx.work, 'm-config.toml');
  const profile = process.env.OC_BENCH_PROFILE ?? 'smythos-alternative';
  const logFilterDenials = profile === 'default' ? 'log_filter_denials = true\n' : '';
  writeFileSync(config, `[state]\ndir = "${state}"\n[agent]\nsocket = "${socket}"\ndenial_log = "${join(ctx.work, 'm-denials.log')}"\n${logFilterDenials}[jobs]\ndir = "${join(ctx.work, 'm-jobs')}"\n`);
  const runcRoot = join(ctx.work, 'm-runc');
  // stderr to a file, not a pipe: a created container's init holds the runtime's stdio open.
  const shim = (args) => {
    const err = openSync(ctx.errFile, 'w');
    try {
      const r = spawnSync(SHIM, ['--profile', profile, '--openclaw-config', config, '--root', runcRoot, ...args], { stdio: ['ignore', 'ignore', err], timeout: 60_000 });
      return { status: r.status, stderr: readFileSync(ctx.errFile, 'utf8') };
    } finally {
      closeSync(err);
    }
  };
  await warmService();
  const { serviceDir } = await import(join(REPO, 'dist', 'service', 'paths.js'));
  const serviceLock = join(serviceDir(process.env), 'service.lock');
  const agentLock = `${socket}.lock`;
  const ids = [];
  const breakdown = [];
  const record = (when) => {
    const svc = memory(serviceLock);
    const agent = memory(agentLock);
    if (!svc || !agent) {
      ctx.log(`  ${when}: service ${svc ? 'found' : 'not found'}, agent ${agent ? 'found' : 'not found'}`);
      return;
    }
    const met = svc.rss + agent.rss <= TARGET_MIB ? 'met' : 'MISSED';
    breakdown.push({ phase: `service VmRSS, MiB now (peak) (${when})`, median: svc.rss, p90: svc.hwm });
    breakdown.push({ phase: `agent VmRSS, MiB now (peak) (${when})`, median: agent.rss, p90: agent.hwm });
    breakdown.push({ phase: `service + agent VmRSS, MiB now (peak) (${when}; target <= ${TARGET_MIB}: ${met})`, median: svc.rss + agent.rss, p90: svc.hwm + agent.hwm });
    breakdown.push({ phase: `service + agent RssAnon, MiB (${when}; without the shared node text)`, median: svc.anon + agent.anon, p90: svc.anon + agent.anon });
  };
  try {
    for (let i = 0; i < count; i++) {
      const cid = `oc-bench-mem-${process.pid}-${i}`;
      const bundle = makeBundle(join(ctx.work, `m-bundle-${i}`), ctx.rootfs, ['sleep', '3600']);
      const c = shim(['create', '--bundle', bundle, cid]);
      if (c.status !== 0) throw new Error(`create ${cid}: ${c.stderr.trim().split('\n').slice(-2).join(' | ')}`);
      ids.push(cid);
      const s = shim(['start', cid]);
      if (s.status !== 0) throw new Error(`start ${cid}: ${s.stderr.trim().split('\n').slice(-2).join(' | ')}`);
      if (i === 0) record('1 running container');
    }
    await new Promise((r) => setTimeout(r, 1000)); // the last listeners' connections settle
    record(`${count} running containers`);
  } finally {
    for (const cid of ids) shim(['delete', '--force', cid]);
    // This run's agent (its socket is in the work dir, removed after the run) goes with it.
    const agent = memory(agentLock);
    if (agent) process.kill(agent.pid, 'SIGTERM');
  }
  // The note on the rows: "(p90)" of these rows is VmHWM (the peak), not a p90.
  return { breakdown };
}
