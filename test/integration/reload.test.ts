/**
 * Config reload of the long-lived processes (issue 13 item 6), against the real agent and the
 * real service:
 *   - the seccomp agent, started by a create, re-reads a changed config before its next
 *     denial-log write: a moved `agent.denial_log` takes the very next denial, and its log
 *     (JSON lines) says what changed; SIGHUP re-reads at once and does not end the agent; a
 *     config that no longer parses keeps the previous settings, logged as an error;
 *   - the resident service reads the config per request: the next request after an edit uses
 *     the new `[runtime] candidates` and the service logs the change; SIGHUP drops its caches
 *     and keeps it running.
 * Before: the agent kept the denial log it was started with until restarted, SIGHUP killed
 * both daemons, and neither logged anything about its config.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { integrationSkipReason, makeBundle, REPO, SHIM, type Bundle } from '../helpers/bundle.js';
import { shim } from '../helpers/shim.js';
import { agentWorkDir, alive, removeAgentWorkDir } from '../helpers/agent.js';
import { callService, startService } from '../../shim/service/client.js';
import { SERVICE_PROTOCOL_VERSION } from '../../shim/service/protocol.js';

const ADDON = join(REPO, 'addon', 'build', 'Release', 'openclaw_agent.node');
const skip = integrationSkipReason() ?? (existsSync(ADDON) ? undefined : 'the seccomp agent addon is not built (scripts/build-addon.sh)');
if (skip) console.warn(`SKIP integration/reload: ${skip}`);

const ROOT = mkdtempSync(join(tmpdir(), 'openclaw-reload-root-'));
let n = 0;

interface LogLine {
  level: string;
  msg: string;
  time: string;
  [k: string]: unknown;
}

function logLines(file: string): LogLine[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The daemons write asynchronously: look until a line matches (bounded by count, not by a timed assertion). */
async function waitForLine(file: string, re: RegExp): Promise<LogLine | undefined> {
  for (let i = 0; i < 400; i++) {
    const hit = logLines(file).find((l) => re.test(l.msg));
    if (hit) return hit;
    await sleep(25);
  }
  return undefined;
}

async function waitForText(file: string, text: string): Promise<boolean> {
  for (let i = 0; i < 400; i++) {
    if (existsSync(file) && readFileSync(file, 'utf8').includes(text)) return true;
    await sleep(25);
  }
  return false;
}

describe.skipIf(skip)('the seccomp agent follows its config', () => {
  let work: string;
  let socket: string;
  let configToml: string;
  const bundles: Bundle[] = [];
  const config = (denialLog: string, extra = ''): void =>
    writeFileSync(configToml, `[state]\ndir = "${join(work, 'state')}"\n[jobs]\ndir = "${join(work, 'jobs')}"\n[agent]\nsocket = "${socket}"\ndenial_log = "${denialLog}"\n${extra}`);
  /** A container whose socket(AF_INET) the smythos-alternative filter denies (and the agent logs). */
  const deniedRun = (withConfig = configToml): string => {
    const b = makeBundle(['/bin/nc', '127.0.0.1', '9']);
    bundles.push(b);
    const cid = `oc-reload-${process.pid}-${++n}`;
    const r = shim(['--profile', 'smythos-alternative', '--openclaw-config', withConfig, '--root', ROOT, 'run', '--bundle', b.dir, cid]);
    expect(r.stderr).toMatch(/socket: Operation not permitted/);
    return cid;
  };

  beforeAll(() => {
    ({ work, socket, configToml } = agentWorkDir('openclaw-reload-'));
  });
  afterAll(() => removeAgentWorkDir(work, socket, ROOT, bundles));

  it('a moved agent.denial_log takes the next denial; the change is logged; SIGHUP re-reads and keeps the agent', async () => {
    const first = join(work, 'denials.log');
    const second = join(work, 'denials-2.log');
    const third = join(work, 'denials-3.log');
    const agentLog = join(work, 'agent', 'seccomp-agent.log');
    config(first);
    const a = deniedRun();
    expect(await waitForText(first, a)).toBe(true);
    const pid = Number.parseInt(readFileSync(`${socket}.lock`, 'utf8'), 10);

    // Edit, no signal: the next denial goes to the new file.
    config(second);
    const b = deniedRun();
    expect(await waitForText(second, b)).toBe(true);
    expect(readFileSync(first, 'utf8')).not.toContain(b);
    const reloaded = await waitForLine(agentLog, /^config reloaded .*: changed agent\.denial_log$/);
    expect(reloaded).toMatchObject({ level: 'info', daemon: 'agent', pid, config: configToml, changed: ['agent.denial_log'] });
    expect(Object.keys(reloaded ?? {}).slice(0, 3)).toEqual(['level', 'msg', 'time']);
    expect(await waitForLine(agentLog, new RegExp(`^denials are now written to ${second}$`))).toBeDefined();

    // SIGHUP: re-read now (no denial needed), and the agent stays (Node's default would end it).
    config(third, '[log]\nlevel = "warn"\n');
    process.kill(pid, 'SIGHUP');
    expect(await waitForLine(agentLog, /^config reloaded \(SIGHUP\): .*: changed agent\.denial_log, log\.level$/)).toBeDefined();
    expect(alive(pid)).toBe(true);
    const c = deniedRun();
    expect(await waitForText(third, c)).toBe(true);
    expect(readFileSync(second, 'utf8')).not.toContain(c);

    // A config that no longer parses: the previous settings stay, the error is logged (level warn lets errors through).
    writeFileSync(join(work, 'config.toml.good'), readFileSync(configToml));
    writeFileSync(configToml, '[agent\nbroken');
    process.kill(pid, 'SIGHUP');
    expect(await waitForLine(agentLog, /^config reload \(SIGHUP\): .*invalid TOML.*keeping the previous settings$/)).toMatchObject({ level: 'error' });
    expect(alive(pid)).toBe(true);
    // The create needs a config that parses: another file, same agent socket. The agent keeps
    // its own (the last good one): the denial goes to the third log, not to this config's.
    const other = join(work, 'other.toml');
    writeFileSync(other, readFileSync(join(work, 'config.toml.good'), 'utf8').replace(third, join(work, 'denials-other.log')));
    const d = deniedRun(other);
    expect(await waitForText(third, d)).toBe(true);
    expect(existsSync(join(work, 'denials-other.log'))).toBe(false);
    // log.level = warn took effect: no info line (e.g. "serving listener") after the SIGHUP reload.
    const lines = logLines(agentLog);
    const at = lines.findIndex((l) => /^config reloaded \(SIGHUP\)/.test(l.msg));
    expect(lines.slice(at + 1).filter((l) => l.level === 'info')).toEqual([]);
  });
});

describe.skipIf(skip)('the resident service reads the config per request and logs a change', () => {
  let dir: string;
  let pid = 0;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'openclaw-reload-service-'));
  });
  afterAll(() => {
    if (pid > 0 && alive(pid)) process.kill(pid, 'SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('the next request after an edit uses the new runtime, the log names the changed key, SIGHUP keeps it running', async () => {
    const cfg = join(dir, 'config.toml');
    writeFileSync(cfg, '[runtime]\ncandidates = ["/usr/sbin/runc"]\n');
    const svc = join(dir, 'svc');
    expect(await startService(svc, { wait: true })).toBe(true);
    pid = Number.parseInt(readFileSync(join(svc, 'service.lock'), 'utf8'), 10);
    const req = { version: SERVICE_PROTOCOL_VERSION, cwd: '/', self: SHIM, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' }, argv: ['--openclaw-config', cfg, 'list'] };
    expect(await callService(svc, req)).toMatchObject({ status: 'exec', runtime: '/usr/sbin/runc' });
    writeFileSync(cfg, '[runtime]\ncandidates = ["/usr/bin/crun"]\n');
    expect(await callService(svc, req)).toMatchObject({ status: 'exec', runtime: '/usr/bin/crun' });
    const log = join(svc, 'service.log');
    expect(await waitForLine(log, new RegExp(`^config reloaded \\(changed since the last request\\): ${cfg}: changed runtime\\.candidates$`))).toMatchObject({ level: 'info', daemon: 'service', pid });
    process.kill(pid, 'SIGHUP');
    expect(await waitForLine(log, /^reload \(SIGHUP\): \d+ cached features answers dropped/)).toBeDefined();
    expect(alive(pid)).toBe(true);
    expect(await callService(svc, req)).toMatchObject({ status: 'exec', runtime: '/usr/bin/crun' });
  });
});
