/**
 * `openclaw-runtime stats [--agent-socket PATH] [--service-dir DIR]`: the seccomp agent's and the
 * resident service's counters in the Prometheus text format (metrics.ts says why a command over
 * their root-only stats sockets rather than an HTTP endpoint). Each daemon's block is preceded by
 * `openclaw_agent_up` / `openclaw_service_up` (1: it answered; 0: it is not running or did not
 * answer), so a scrape of a host where a daemon is stopped is still well-formed.
 */
import { connect } from 'node:net';
import { loadConfig } from '../config/load.js';
import { OpenclawError } from '../errors.js';
import { parseCommandArgs } from '../cli/command-args.js';
import { serviceDir } from '../service/paths.js';
import { agentStatsSocket } from '../agent/stats-socket.js';
import { STATS_SPEC } from './specs.js';
import type { CommandHandler } from './types.js';

const READ_TIMEOUT_MS = 5000;
const MAX_STATS_BYTES = 4 << 20;

/** The text a stats socket sends, or why there is none. */
export function readStats(socketPath: string, timeoutMs = READ_TIMEOUT_MS): Promise<{ ok: true; text: string } | { ok: false; why: string }> {
  return new Promise((done) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const s = connect(socketPath);
    const finish = (r: { ok: true; text: string } | { ok: false; why: string }): void => {
      clearTimeout(timer);
      s.destroy();
      done(r);
    };
    const timer = setTimeout(() => finish({ ok: false, why: 'no answer in time' }), timeoutMs);
    s.on('data', (b: Buffer) => {
      size += b.length;
      if (size > MAX_STATS_BYTES) finish({ ok: false, why: 'answer too large' });
      else chunks.push(b);
    });
    s.on('end', () => finish({ ok: true, text: Buffer.concat(chunks).toString('utf8') }));
    s.on('error', (e: NodeJS.ErrnoException) => finish({ ok: false, why: e.code ?? e.message }));
  });
}

function upBlock(name: string, help: string, result: { ok: true; text: string } | { ok: false; why: string }, socketPath: string): string {
  const head = `# HELP ${name} ${help}\n# TYPE ${name} gauge\n`;
  if (!result.ok) return `${head}${name} 0\n# ${socketPath}: ${result.why}\n`;
  return `${head}${name} 1\n${result.text}`;
}

export const statsCommand: CommandHandler = async ({ argv, env }) => {
  const parsed = parseCommandArgs(STATS_SPEC, argv.commandArgs);
  if (parsed.help) {
    process.stdout.write(parsed.text);
    return 0;
  }
  for (const name of ['agent-socket', 'service-dir'] as const) {
    const v = parsed.values[name];
    if (v !== undefined && !v.startsWith('/')) throw new OpenclawError('cli', `stats: --${name} needs an absolute path`, { fix: `pass --${name} /ABS/PATH` });
  }
  const agentSocket = parsed.values['agent-socket'] ?? (await loadConfig(argv.shim.openclawConfig, env)).config.agent.socket;
  const service = `${parsed.values['service-dir'] ?? serviceDir(env)}/stats.sock`;
  const agent = agentStatsSocket(agentSocket);
  const [a, s] = await Promise.all([readStats(agent), readStats(service)]);
  process.stdout.write(upBlock('openclaw_agent_up', 'Whether the seccomp agent answered on its stats socket', a, agent));
  process.stdout.write(upBlock('openclaw_service_up', 'Whether the resident service answered on its stats socket', s, service));
  return 0;
};
