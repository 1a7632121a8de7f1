/**
 * `openclaw-runtime stats` against a running agent and a running service (issue 13 item 6):
 * the Prometheus text counts what happened (a denial by profile and system call, the
 * notifications and their latency histogram, listeners open now, service requests by command
 * with the merge's latency), from root-only sockets, and says `up 0` for a daemon that is not
 * running.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { integrationSkipReason, makeBundle, REPO, type Bundle } from '../helpers/bundle.js';
import { runc, shim } from '../helpers/shim.js';
import { agentWorkDir, removeAgentWorkDir } from '../helpers/agent.js';
import { startService } from '../../shim/service/client.js';

const ADDON = join(REPO, 'addon', 'build', 'Release', 'openclaw_agent.node');
const skip = integrationSkipReason() ?? (existsSync(ADDON) ? undefined : 'the seccomp agent addon is not built (scripts/build-addon.sh)');
if (skip) console.warn(`SKIP integration/stats: ${skip}`);

const ROOT = mkdtempSync(join(tmpdir(), 'openclaw-stats-root-'));

/** `name{labels} value` lines of a Prometheus text, by series (name plus labels as written). */
function series(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

describe.skipIf(skip)('stats: the agent and the service, running', () => {
  let work: string;
  let socket: string;
  let configToml: string;
  let svc: string;
  let servicePid = 0;
  const bundles: Bundle[] = [];
  const stats = (): Map<string, number> => {
    const r = shim(['--openclaw-config', configToml, 'stats', '--service-dir', svc]);
    expect(r.status, r.stderr).toBe(0);
    return series(r.stdout);
  };

  beforeAll(async () => {
    ({ work, socket, configToml } = agentWorkDir('openclaw-stats-'));
    svc = join(work, 'service');
  });
  afterAll(() => {
    if (servicePid > 0) {
      try {
        process.kill(servicePid, 'SIGTERM');
      } catch {
        /* gone */
      }
    }
    removeAgentWorkDir(work, socket, ROOT, bundles);
  });

  it('with neither daemon running: up 0 for both, and nothing else', () => {
    const s = stats();
    expect(s.get('openclaw_agent_up')).toBe(0);
    expect(s.get('openclaw_service_up')).toBe(0);
    expect(s.size).toBe(2);
  });

  it('agent: a denial by profile and call, notifications with their latency, the listeners open now', () => {
    const b = makeBundle(['/bin/nc', '127.0.0.1', '9']);
    bundles.push(b);
    const denied = shim(['--profile', 'smythos-alternative', '--openclaw-config', configToml, '--root', ROOT, 'run', '--bundle', b.dir, 'oc-stats-denied']);
    expect(denied.stderr).toMatch(/socket: Operation not permitted/);
    // A container that keeps its listener open while we look.
    const sleeper = makeBundle(['/bin/sleep', '1000']);
    bundles.push(sleeper);
    const started = shim(['--profile', 'smythos-alternative', '--openclaw-config', configToml, '--root', ROOT, 'run', '--detach', '--bundle', sleeper.dir, 'oc-stats-sleeper'], { detached: true });
    expect(started.status, started.stderr).toBe(0);

    const s = stats();
    expect(s.get('openclaw_agent_up')).toBe(1);
    expect(s.get('openclaw_agent_denials_total{profile="smythos-alternative",syscall="socket"}')).toBe(1);
    const notifications = s.get('openclaw_agent_notifications_total') ?? 0;
    expect(notifications).toBeGreaterThanOrEqual(1); // the denial, and each container's first execve
    expect(s.get('openclaw_agent_response_seconds_count')).toBe(notifications);
    expect(s.get('openclaw_agent_response_seconds_bucket{le="+Inf"}')).toBe(notifications);
    expect(s.get('openclaw_agent_response_seconds_sum')).toBeGreaterThan(0);
    expect(s.get('openclaw_agent_listeners')).toBe(1); // the sleeper's; the denied container has exited
    expect(s.get('openclaw_agent_containers')).toBe(1);
    expect(s.get('openclaw_agent_listeners_received_total')).toBe(2);
    expect(s.get('openclaw_agent_config_reloads_total')).toBe(0);
    // Root only: the socket is 0600 in the agent's 0700 directory.
    const st = statSync(`${socket}.stats`);
    expect([st.uid, st.mode & 0o777]).toEqual([0, 0o600]);

    runc(['--root', ROOT, 'kill', 'oc-stats-sleeper', 'KILL']);
    shim(['--openclaw-config', configToml, '--root', ROOT, 'delete', '--force', 'oc-stats-sleeper']);
    // The agent drops the listener when the kernel reports the filter's tasks gone (POLLHUP).
    let after = stats();
    for (let i = 0; i < 200 && after.get('openclaw_agent_listeners') !== 0; i++) after = stats();
    expect(after.get('openclaw_agent_listeners')).toBe(0);
    expect(after.get('openclaw_agent_containers')).toBe(0);
  });

  it('service: requests by command and answer, the merge latency of a run, in flight', async () => {
    expect(await startService(svc, { wait: true })).toBe(true);
    servicePid = Number.parseInt(readFileSync(join(svc, 'service.lock'), 'utf8'), 10);
    const b = makeBundle(['/bin/true']);
    bundles.push(b);
    const env = { OPENCLAW_SERVICE_DIR: svc };
    const ran = shim(['--profile', 'default', '--openclaw-config', configToml, '--root', ROOT, 'run', '--bundle', b.dir, 'oc-stats-run'], { env });
    expect(ran.status, ran.stderr).toBe(0);
    expect(shim(['--openclaw-config', configToml, '--root', ROOT, 'list'], { env }).status).toBe(0);
    shim(['--openclaw-config', configToml, '--root', ROOT, 'delete', 'oc-stats-run'], { env });
    const s = stats();
    expect(s.get('openclaw_service_up')).toBe(1);
    // bin/openclaw-runtime is the native launcher in this suite (it asks the service); the sh launcher never does.
    const native = !readFileSync(join(REPO, 'bin', 'openclaw-runtime')).subarray(0, 2).equals(Buffer.from('#!'));
    if (native) {
      expect(s.get('openclaw_service_requests_total{command="run",answer="exec"}')).toBe(1);
      expect(s.get('openclaw_service_request_seconds_count{command="run"}')).toBe(1);
      expect(s.get('openclaw_service_request_seconds_sum{command="run"}')).toBeGreaterThan(0);
    }
    expect(s.get('openclaw_service_requests_in_flight')).toBe(0);
    const st = statSync(join(svc, 'stats.sock'));
    expect([st.uid, st.mode & 0o777]).toEqual([0, 0o600]);
  });
});
