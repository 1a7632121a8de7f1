/**
 * `openclaw-runtime agent [--socket PATH] [--denial-log PATH] [--log-file PATH]`: the host-wide
 * seccomp user-notification agent (see shim/agent/server.ts). Runs until SIGTERM/SIGINT. Started
 * on demand by `create` (shim/agent/client.ts) or by examples/openclaw-seccomp-agent.service.
 *
 * Config reload (config/watch.ts): on SIGHUP, and before each denial-log write, a changed config
 * file is re-read: `agent.denial_log` and `log.level` apply at once (unless a flag pins them);
 * `agent.socket` cannot move under running containers (their listeners live in this process), so
 * a change is logged: new containers get an agent on the new socket, this one keeps its own.
 */
import { configPathFor, loadConfig } from '../config/load.js';
import { ConfigWatch, configIdentityNow } from '../config/watch.js';
import { DaemonLog } from '../daemon-log.js';
import { CounterOf } from '../metrics.js';
import { OpenclawError } from '../errors.js';
import { AgentServer } from '../agent/server.js';
import { parseCommandArgs } from '../cli/command-args.js';
import { AGENT_SPEC } from './specs.js';
import type { CommandHandler } from './types.js';

export interface AgentFlags {
  help?: undefined;
  socket?: string;
  denialLog?: string;
  logFile?: string;
}

/** The agent's flags; every path must be absolute (the agent is root and chdir-independent). */
export function parseAgentArgs(args: readonly string[]): { help: string } | AgentFlags {
  const parsed = parseCommandArgs(AGENT_SPEC, args);
  if (parsed.help) return { help: parsed.text };
  for (const [name, value] of Object.entries(parsed.values)) {
    if (typeof value !== 'string' || !value.startsWith('/')) throw new OpenclawError('cli', `agent: --${name} needs an absolute path`, { fix: `pass --${name} /ABS/PATH` });
  }
  return { socket: parsed.values.socket, denialLog: parsed.values['denial-log'], logFile: parsed.values['log-file'] };
}

export const agentCommand: CommandHandler = async ({ argv, env }) => {
  const flags = parseAgentArgs(argv.commandArgs);
  if (flags.help !== undefined) {
    process.stdout.write(flags.help);
    return 0;
  }
  const configFlag = argv.shim.openclawConfig;
  const initialIdentity = configIdentityNow(configPathFor(configFlag, env).path); // before reading (watch.ts)
  const loaded = await loadConfig(configFlag, env);
  const log = new DaemonLog({ daemon: 'agent', file: flags.logFile, level: loaded.config.log.level });
  let server: AgentServer | undefined;
  const watch = new ConfigWatch({
    flag: configFlag,
    env,
    initial: loaded,
    initialIdentity,
    log: (level, msg, fields) => log.log(level, msg, fields),
    apply: (next, _prev, changed) => {
      log.setLevel(next.log.level);
      if (changed.includes('agent.denial_log')) {
        if (flags.denialLog) log.log('warn', `agent.denial_log is now ${next.agent.denial_log}, but --denial-log ${flags.denialLog} pins this agent's denial log`);
        else {
          server?.setDenialLog(next.agent.denial_log);
          log.log('info', `denials are now written to ${next.agent.denial_log}`, { denialLog: next.agent.denial_log });
        }
      }
      if (changed.includes('agent.socket') && server) {
        log.log('warn', `agent.socket is now ${next.agent.socket}: new containers get an agent there; this one keeps serving ${flags.socket ?? loaded.config.agent.socket} (its containers' listeners live here)`);
      }
    },
  });
  server = new AgentServer({
    socketPath: flags.socket ?? loaded.config.agent.socket,
    denialLog: flags.denialLog ?? loaded.config.agent.denial_log,
    log: (level, msg) => log.log(level, msg),
    beforeDenialWrite: () => watch.check('config changed before a denial-log write'),
    extraMetrics: [new CounterOf('openclaw_agent_config_reloads_total', 'Times a changed config file was applied', () => watch.reloads)],
  });
  const running = server;
  return new Promise<number>((resolveExit) => {
    const stop = (signal: string): void => {
      log.log('info', `${signal}: stopping (running containers' notified calls now fail with ENOSYS)`);
      void running
        .stopAndFlush()
        .then(() => log.flush())
        .finally(() => resolveExit(0));
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    // SIGHUP re-reads the config (Node's default for it would end the agent, and every running
    // container's gated calls with it).
    process.on('SIGHUP', () => void watch.check('SIGHUP'));
    // After the handlers: a signal that arrives once the socket exists must find them.
    running.start();
  });
};
