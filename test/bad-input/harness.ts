/**
 * A private world for one bad-input run: a work directory (0711, so a state dir below it is
 * reachable by mapped ids), a runc root, a runtime config that keeps state and the agent
 * socket inside the work directory, and helpers to run `create` the way Docker does
 * (`--root R --log F --log-format json create --bundle B ID`) and read what it left behind.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SHIM } from '../helpers/bundle.js';
import { stopAgent as stopAgentBySocket } from '../helpers/agent.js';

export interface World {
  work: string;
  runcRoot: string;
  /** The runtime config every run gets unless a case writes its own. */
  configToml: string;
  agentSocket: string;
  stateDir: string;
}

export function makeWorld(prefix: string): World {
  const work = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(work, 0o711);
  const runcRoot = join(work, 'runc-root');
  mkdirSync(runcRoot, { mode: 0o700 });
  mkdirSync(join(work, 'profiles'));
  const stateDir = join(work, 'state');
  const agentSocket = join(work, 'agent', 'agent.sock');
  const configToml = join(work, 'config.toml');
  writeFileSync(configToml, baseToml(work) + '\n');
  return { work, runcRoot, configToml, agentSocket, stateDir };
}

/** The [state] and [agent] tables that keep a run inside `work`. */
export function baseToml(work: string): string {
  return [
    '[profiles]',
    `directories = ["${join(work, 'profiles')}"]`,
    '[state]',
    `dir = "${join(work, 'state')}"`,
    '[jobs]',
    `dir = "${join(work, 'jobs')}"`,
    '[agent]',
    `socket = "${join(work, 'agent', 'agent.sock')}"`,
    `denial_log = "${join(work, 'denials.log')}"`,
  ].join('\n');
}

export interface CreateRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** The --log file's content ('' when the shim never wrote it). */
  log: string;
}

/**
 * `bin/openclaw-runtime [shimFlags] --root R --log L --log-format json create --bundle B ID`.
 * stdout goes to /dev/null: a created container keeps the stdio it inherited.
 */
export function runCreate(world: World, shimFlags: string[], bundle: string, id: string, logFile: string): CreateRun {
  const args = [...shimFlags, '--root', world.runcRoot, '--log', logFile, '--log-format', 'json', 'create', '--bundle', bundle, id];
  const errFile = `${logFile}.stderr`;
  const r = spawnSync('sh', ['-c', 'exec "$@" 2>"$0" >/dev/null </dev/null', errFile, SHIM, ...args], {
    env: { ...process.env, OPENCLAW_CONFIG: '' },
    timeout: 60_000,
  });
  return {
    status: r.status,
    signal: r.signal,
    stderr: existsSync(errFile) ? readFileSync(errFile, 'utf8') : '',
    log: existsSync(logFile) ? readFileSync(logFile, 'utf8') : '',
  };
}

/** The `msg` of the last `"level":"error"` line of a runc JSON log, as Docker reads it. */
export function lastErrorMsg(log: string): string | undefined {
  let msg: string | undefined;
  for (const line of log.split('\n')) {
    if (!line.trim()) continue;
    try {
      const o = JSON.parse(line) as { level?: string; msg?: string };
      if (o.level === 'error' && typeof o.msg === 'string') msg = o.msg;
    } catch {
      /* not a JSON line: Docker skips those too */
    }
  }
  return msg;
}

/** Container ids runc knows in this root. */
export function runcContainers(root: string): string[] {
  const r = spawnSync('runc', ['--root', root, 'list', '-q'], { encoding: 'utf8' });
  return (r.stdout ?? '').split('\n').filter(Boolean);
}

export function runcDeleteAll(root: string): void {
  for (const id of runcContainers(root)) spawnSync('runc', ['--root', root, 'delete', '--force', id]);
}

/** Stops an agent the shim started for this world (its pid is in `<socket>.lock`). */
export function stopAgent(world: World, socket = world.agentSocket): void {
  stopAgentBySocket(socket);
}

export function listDir(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

export function removeWorld(world: World): void {
  runcDeleteAll(world.runcRoot);
  stopAgent(world);
  rmSync(world.work, { recursive: true, force: true });
}
