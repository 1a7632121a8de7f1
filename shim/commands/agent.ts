/**
 * `openclaw-runtime agent [--socket PATH] [--denial-log PATH]`: the host-wide seccomp
 * user-notification agent (see shim/agent/server.ts). Runs until SIGTERM/SIGINT. Started on
 * demand by `create` (shim/agent/client.ts) or by examples/openclaw-seccomp-agent.service.
 */
import { loadConfig } from '../config/load.js';
import { OpenclawError } from '../errors.js';
import { AgentServer } from '../agent/server.js';
import type { CommandHandler } from './index.js';

/** Flags of the agent command, by name: whether each takes a value. */
const AGENT_FLAGS: Record<string, 'socket' | 'denialLog'> = { '--socket': 'socket', '--denial-log': 'denialLog' };

export function parseAgentArgs(args: readonly string[]): { socket?: string; denialLog?: string } {
  const out: { socket?: string; denialLog?: string } = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const [name, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const key = AGENT_FLAGS[name];
    if (!key) throw new OpenclawError('cli', `agent: unknown argument ${arg}`, { fix: 'openclaw-runtime agent [--socket PATH] [--denial-log PATH]' });
    const value = inline ?? args[++i];
    if (!value || !value.startsWith('/')) throw new OpenclawError('cli', `agent: ${name} needs an absolute path`, { fix: `pass ${name} /ABS/PATH` });
    out[key] = value;
  }
  return out;
}

export const agentCommand: CommandHandler = async ({ argv, env }) => {
  const flags = parseAgentArgs(argv.commandArgs);
  const { config } = await loadConfig(argv.shim.openclawConfig, env);
  const server = new AgentServer({
    socketPath: flags.socket ?? config.agent.socket,
    denialLog: flags.denialLog ?? config.agent.denial_log,
  });
  server.start();
  return new Promise<number>((resolveExit) => {
    const stop = (signal: string): void => {
      process.stderr.write(`openclaw-agent info: ${signal}: stopping (running containers' notified calls now fail with ENOSYS)\n`);
      void server.stopAndFlush().finally(() => resolveExit(0));
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
};
