/**
 * ensureAgent: what `create` calls when the compiled filter has a listenerPath. Connects to
 * the agent's socket; when nothing listens it starts the agent (this same program,
 * `openclaw-runtime agent`, detached), race-free, and waits until it accepts.
 *
 * Race-free: starters serialize on `<socket>.spawn.lock` (flock) and look again once they
 * hold it, so two concurrent creates start at most one agent; and the agent itself holds
 * `<socket>.lock` for its whole life and only then replaces the socket file, so even an agent
 * started by hand or by systemd beside it cannot serve the same socket twice.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, resolve } from 'node:path';
import type { RuntimeConfig } from '../config/schema.js';
import { OpenclawError } from '../errors.js';
import { loadNative } from './native.js';
import { RESIDENT_NODE_FLAGS } from '../node-flags.js';
import { AGENT_ENTRY } from '../package.js';

export interface EnsureAgentOptions {
  /** Overrides config.agent.socket. */
  socketPath?: string;
  /** Pins the denial log (else the agent takes config.agent.denial_log, and follows it on reload). */
  denialLog?: string;
  /** The file the config came from: the agent reads it itself, and again when it changes. */
  configPath?: string;
  /** How long to wait for the lock and for a started agent to accept (default 10 s). */
  timeoutMs?: number;
  /** The script to start as `<execPath> <entry> agent ...` (default: dist/agent-main.js). */
  entryPath?: string;
  /** A started agent's own log, JSON lines, rotated (default: `<socket dir>/seccomp-agent.log`); its stderr goes there too. */
  agentLog?: string;
}

/** Beside this file in dist/agent/; tests running the .ts sources still start the built agent. */


/** Resolves true when something accepts a connection on the socket. */
export function canConnect(socketPath: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((done) => {
    const s = connect(socketPath);
    const finish = (ok: boolean): void => {
      clearTimeout(timer);
      s.destroy();
      done(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    s.once('connect', () => finish(true));
    s.once('error', () => finish(false));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function ensureAgent(config: RuntimeConfig, opts: EnsureAgentOptions = {}): Promise<void> {
  const socketPath = opts.socketPath ?? config.agent.socket;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  if (await canConnect(socketPath)) return;

  const native = loadNative();
  const { LOCK_EX, LOCK_NB } = native.fileConstants;
  const deadline = Date.now() + timeoutMs;
  let lockFd: number;
  try {
    mkdirSync(dirname(socketPath), { recursive: true, mode: 0o700 });
    lockFd = openSync(`${socketPath}.spawn.lock`, 'a', 0o600);
  } catch (err) {
    throw notStarted(socketPath, `cannot prepare its socket directory (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  try {
    while (!native.flock(lockFd, LOCK_EX | LOCK_NB)) {
      if (Date.now() > deadline) throw notStarted(socketPath, 'timed out waiting for another process that is starting the agent');
      await sleep(25);
    }
    // Whoever held the lock before us may have started it.
    if (await canConnect(socketPath)) return;

    const agentLog = opts.agentLog ?? `${dirname(socketPath)}/seccomp-agent.log`;
    const logFd = openSync(agentLog, 'a', 0o600);
    let exited: string | undefined;
    try {
      const args = [
        ...RESIDENT_NODE_FLAGS,
        opts.entryPath ?? AGENT_ENTRY,
        ...(opts.configPath ? ['--openclaw-config', resolve(opts.configPath)] : []),
        'agent',
        '--socket',
        socketPath,
        '--log-file',
        agentLog,
        ...(opts.denialLog ? ['--denial-log', opts.denialLog] : []),
      ];
      const child = spawn(process.execPath, args, {
        detached: true,
        stdio: ['ignore', logFd, logFd],
      });
      child.once('exit', (code, signal) => {
        exited = signal ? `signal ${signal}` : `exit code ${code}`;
      });
      child.once('error', (e) => {
        exited = e.message;
      });
      child.unref();
    } finally {
      closeSync(logFd);
    }
    while (Date.now() < deadline) {
      if (await canConnect(socketPath, 250)) return;
      if (exited !== undefined) {
        // It may have lost a race against an agent started outside our lock (systemd): look once more.
        if (await canConnect(socketPath)) return;
        throw notStarted(socketPath, `the agent exited (${exited}): ${lastLine(agentLog)}`);
      }
      await sleep(25);
    }
    throw notStarted(socketPath, `the agent did not accept connections within ${timeoutMs} ms: ${lastLine(agentLog)}`);
  } finally {
    closeSync(lockFd); // releases the flock
  }
}

function notStarted(socketPath: string, why: string): OpenclawError {
  return new OpenclawError('agent', `cannot reach the seccomp agent: ${why}`, {
    file: socketPath,
    field: 'agent.socket',
    fix: 'run `openclaw-runtime agent` by hand to see why it fails, or start examples/openclaw-seccomp-agent.service',
  });
}

/** The last line of the agent's log: its msg when it is one of the agent's JSON lines (daemon-log.ts). */
function lastLine(file: string): string {
  try {
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    const last = lines[lines.length - 1] ?? '';
    try {
      const parsed = JSON.parse(last) as { msg?: unknown };
      if (typeof parsed.msg === 'string') return parsed.msg;
    } catch {
      // a crash's stderr, not a log line
    }
    return last;
  } catch {
    return '';
  }
}
