/**
 * g. What logging the filter's own denials costs (issue 10): a denied call answered by the
 * kernel (SCMP_ACT_ERRNO, how filters denied before) against the same call sent to the agent
 * (SCMP_ACT_NOTIFY, answered with the same errno and logged), in otherwise identical plain
 * runc containers with a private agent (as case e). An allowed call is measured beside it: its
 * path through the filter does not change. Each container makes CALLS denied calls, within the
 * agent's per-container notification burst (4000): past it a flood waits its turn at 2000/s
 * (server.ts AGENT_DEFAULTS), and the denial log summarises past 200 lines.
 * A third container runs the same filter in audit mode (issue 13): the agent logs each call as
 * "would deny" and lets it run (CONTINUE); that loop also closes each socket it gets.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeBundle } from '../lib/bundle.mjs';
import { row } from '../lib/row.mjs';
import { BENCH_DIR, alternate, startBenchAgent } from '../lib/tools.mjs';
import { formatListenerMetadata } from '../../../dist/agent/metadata.js';

export const id = 'g';
export const title = 'filter denials through the agent (logged) vs in the kernel';
const CALLS = 3000;
const EXECS = ['execve', 'execveat'];

function seccompSection(socket, viaAgent, audit = false) {
  const meta = { v: 1, profile: 'bench', sha256: 'f'.repeat(64), errno: 1, writable: [], ...(audit ? { audit: { enforced: [] } } : {}) };
  return {
    defaultAction: 'SCMP_ACT_ALLOW',
    architectures: ['SCMP_ARCH_X86_64'],
    listenerPath: socket,
    listenerMetadata: formatListenerMetadata(viaAgent ? { ...meta, filterDenials: { names: { socket: [1, 'defaultAction'] }, agentCalls: EXECS } } : meta),
    syscalls: [
      // exec-once: the agent sees the entrypoint's exec in both variants, as the compiler arranges.
      { names: EXECS, action: 'SCMP_ACT_NOTIFY' },
      viaAgent ? { names: ['socket'], action: 'SCMP_ACT_NOTIFY' } : { names: ['socket'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 },
    ],
  };
}

export async function run(ctx) {
  const dir = join(ctx.work, 'g');
  mkdirSync(dir, { recursive: true });
  const socket = join(dir, 'agent', 'agent.sock');
  const runcRoot = join(dir, 'runc');
  const bin = join(ctx.rootfs, 'denied');
  execFileSync('gcc', ['-O2', '-static', '-o', bin, join(BENCH_DIR, 'denied.c')]);
  chmodSync(bin, 0o755);
  const bundles = {
    kernel: makeBundle(join(dir, 'b-kernel'), ctx.rootfs, ['/denied', String(CALLS)], (c) => ({ ...c, linux: { ...c.linux, seccomp: seccompSection(socket, false) } })),
    agent: makeBundle(join(dir, 'b-agent'), ctx.rootfs, ['/denied', String(CALLS)], (c) => ({ ...c, linux: { ...c.linux, seccomp: seccompSection(socket, true) } })),
    audit: makeBundle(join(dir, 'b-audit'), ctx.rootfs, ['/denied', String(CALLS), 'audit'], (c) => ({ ...c, linux: { ...c.linux, seccomp: seccompSection(socket, true, true) } })),
  };
  const agent = await startBenchAgent(socket, join(dir, 'denials.log'));
  let n = 0;
  const results = { kernel: [], agent: [], audit: [] };
  const calls = { kernel: 0, agent: 0, audit: 0 };
  const warmup = Math.min(ctx.warmup, 1);
  try {
    const once = (label) => {
      const cid = `oc-bench-g-${process.pid}-${n++}`;
      const r = spawnSync('runc', ['--root', runcRoot, 'run', '--bundle', bundles[label], cid], { encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' });
      spawnSync('runc', ['--root', runcRoot, 'delete', '--force', cid], { stdio: 'ignore' });
      if (r.status !== 0) throw new Error(`${label}: container failed (${r.status}): ${(r.stderr ?? '').trim().split('\n').pop()}`);
      const m = JSON.parse(r.stdout.trim().split('\n').pop());
      // alternate() runs each variant `warmup` times first: those numbers are not samples.
      if (++calls[label] > warmup) results[label].push(m);
      return m.denied_socket;
    };
    const samples = alternate(['kernel', 'agent', 'audit'].map((label) => ({ label, run: () => once(label) })), { warmup, reps: ctx.reps(5), onError: ctx.onError });
    const series = (label, key) => ({ label, values: results[label].map((m) => m[key] / 1000), failures: samples.get(label).failures });
    return [
      row({ caseId: id, measure: `denied socket(AF_INET), ${CALLS} calls`, unit: 'µs/call', baseline: series('kernel', 'denied_socket'), subject: series('agent', 'denied_socket'), note: 'subject: SCMP_ACT_NOTIFY answered by the agent with the same errno and logged' }),
      row({ caseId: id, measure: 'allowed getpid beside it', unit: 'µs/call', baseline: series('kernel', 'allowed_getpid'), subject: series('agent', 'allowed_getpid'), target: 1.1 }),
      row({ caseId: id, measure: `audit mode: would-deny socket(AF_INET) logged and allowed (+ close), ${CALLS} calls`, unit: 'µs/call', baseline: series('kernel', 'denied_socket'), subject: series('audit', 'denied_socket'), note: 'subject: SCMP_ACT_NOTIFY logged as "audit: would deny" and answered CONTINUE; the loop closes each socket' }),
    ];
  } finally {
    agent.kill('SIGTERM');
  }
}
