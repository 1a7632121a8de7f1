/**
 * `openclaw-runtime agent [--socket PATH] [--denial-log PATH]`: the host-wide seccomp
 * user-notification agent (see shim/agent/server.ts). Runs until SIGTERM/SIGINT. Started on
 * demand by `create` (shim/agent/client.ts) or by examples/openclaw-seccomp-agent.service.
 */
import { loadConfig } from '../config/load.js';
import { OpenclawError } from '../errors.js';
import { AgentServer } from '../agent/server.js';
import { parseCommandArgs } from '../cli/command-args.js';
import { AGENT_SPEC } from './specs.js';
import type { CommandHandler } from './types.js';

/** The agent's flags; both paths must be absolute (the agent is root and chdir-independent). */
export function parseAgentArgs(args: readonly string[]): { help: string } | { help?: undefined; socket?: string; denialLog?: string } {
  const parsed = parseCommandArgs(AGENT_SPEC, args);
  if (parsed.help) return { help: parsed.text };
  for (const [name, value] of Object.entries(parsed.values)) {
    if (typeof value !== 'string' || !value.startsWith('/')) throw new OpenclawError('cli', `agent: --${name} needs an absolute path`, { fix: `pass --${name} /ABS/PATH` });
  }
  return { socket: parsed.values.socket, denialLog: parsed.values['denial-log'] };
}

export const agentCommand: CommandHandler = async ({ argv, env }) => {
  const flags = parseAgentArgs(argv.commandArgs);
  if (flags.help !== undefined) {
    process.stdout.write(flags.help);
    return 0;
  }
  const { config } = await loadConfig(argv.shim.openclawConfig, env);
  const server = new AgentServer({
    socketPath: flags.socket ?? config.agent.socket,
    denialLog: flags.denialLog ?? config.agent.denial_log,
  });
  return new Promise<number>((resolveExit) => {
    const stop = (signal: string): void => {
      process.stderr.write(`openclaw-agent info: ${signal}: stopping (running containers' notified calls now fail with ENOSYS)\n`);
      void server.stopAndFlush().finally(() => resolveExit(0));
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    // After the handlers: a SIGTERM that arrives once the socket exists must find them.
    server.start();
  });
};
