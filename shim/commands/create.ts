/**
 * `create` and `run`: merge the profile into the bundle's config.json, then hand the very
 * same command line (minus the shim's flags) to runc.
 *
 * Order, so that nothing is lost on failure: everything that can refuse (config, profile,
 * merge) runs before anything is written; host actions are recorded then done; config.json
 * is replaced atomically; only then does runc run. If runc's create fails, the host actions
 * are undone (the engine will not call delete for a container that never existed).
 *
 * prepareCreate is everything before runc: the Node path (createCommand) and the resident
 * service (shim/service/handle.ts) both call it, so there is one create pipeline and two
 * transports.
 */
import { parseCreateArgs, type CreateArgs } from '../cli/argv.js';
import { exitLike, inheritedFds, runInherited } from '../util/child-process.js';
import { runtimeFromConfig } from '../config/runtime-path.js';
import type { RuntimeConfig } from '../config/schema.js';
import { OpenclawError } from '../errors.js';
import { performHostActions, sweepStale, undoHostActions, DEFAULT_RUNC_ROOT } from '../host/actions.js';
import { hostRunner } from '../util/child-process.js';
import { aliasDeviceStdio, closeAll } from '../host/stdio-alias.js';
import { closeDebugLog, debugLog, openDebugLog, writeRuntimeLog } from '../log.js';
import { runPipeline } from '../pipeline.js';
import { jsonEqual } from '../util/json.js';
import { serializeSpec, writeSpecAtomic } from '../oci/bundle.js';
import type { CommandContext, CommandHandler } from './types.js';

export interface PreparedCreate {
  command: 'create' | 'run';
  args: CreateArgs & { containerId: string };
  config: RuntimeConfig;
  /** The config file it came from (undefined: built-in defaults). */
  configPath?: string;
  /** The low-level runtime to run with argv.runcArgv. */
  runtime: string;
  /** The merged config.json has a user namespace (stdio device nodes must reach the runtime as aliases). */
  userns: boolean;
}

export interface PrepareOptions {
  /** Open the config's winston debug log (the one-shot Node path; the service does not). */
  debugLog?: boolean;
  /** The launcher to skip when looking the runtime up on PATH (a service request names it). */
  self?: string;
}

/** Config, profile, merge, agent, host actions, atomic write: all of create but running runc. */
export async function prepareCreate({ argv, cwd, env, log }: CommandContext, opts: PrepareOptions = {}): Promise<PreparedCreate> {
  const command = argv.command as 'create' | 'run';
  const args = parseCreateArgs(command, argv.commandArgs, cwd);
  const containerId = args.containerId;
  if (!containerId) {
    throw new OpenclawError('cli', `"${command}" needs a container id`, { fix: `openclaw-runtime ${command} --bundle DIR ID` });
  }
  const result = await runPipeline({
    profileFlag: argv.shim.profile,
    configFlag: argv.shim.openclawConfig,
    env,
    cwd,
    bundle: args.bundle,
    containerId,
    runcRoot: argv.globals.root,
  });
  const { config, merged, profile, spec } = result;
  if (opts.debugLog) await openDebugLog(config.log.file, config.log.level);
  debugLog('info', 'merged profile', { id: containerId, profile: profile.profile.metadata.name, sha256: profile.sha256, source: result.choice.source, hostActions: merged.hostActions.length });
  const runtime = runtimeFromConfig({ config, path: result.configPath }, env, opts.self);

  if (result.compiledSeccomp?.listenerPath) {
    const { ensureAgent } = await import('../agent/client.js');
    await ensureAgent(config);
  }

  const runcRoot = argv.globals.root ?? DEFAULT_RUNC_ROOT;
  await sweepStale(config.state.dir, hostRunner).catch((err) => debugLog('warn', 'stale sweep failed', { err: String(err) }));
  await performHostActions(config.state.dir, containerId, runcRoot, merged.hostActions, hostRunner);

  try {
    if (!jsonEqual(merged.spec, spec.spec)) writeSpecAtomic(spec.path, serializeSpec(merged.spec));
  } catch (err) {
    await undoHostActions(config.state.dir, containerId, hostRunner).catch(() => undefined);
    throw err;
  }
  writeRuntimeLog(log, 'info', `openclaw-runtime: applied profile ${profile.profile.metadata.name} (sha256 ${profile.sha256.slice(0, 12)})`);
  const userns = (merged.spec.linux?.namespaces ?? []).some((n) => n.type === 'user');
  return { command, args: { ...args, containerId }, config, configPath: result.configPath, runtime, userns };
}

export const createCommand: CommandHandler = async (ctx) => {
  const { command, args, config, runtime, userns } = await prepareCreate(ctx, { debugLog: true });
  // Under a user namespace the runtime chowns stdio to the container's root: device nodes go
  // as private aliases, never the host's own (host/stdio-alias.ts).
  const aliases = userns ? aliasDeviceStdio(config.state.dir, args.containerId) : undefined;
  const outcome = await runInherited(runtime, ctx.argv.runcArgv, inheritedFds(ctx.argv.preserveFds), aliases?.stdio).finally(() => closeAll(aliases?.opened ?? []));
  // `run` without --detach has finished the container's whole life here; a failed create
  // left nothing for the engine to delete. Either way the host side is ours to undo.
  const containerGone = outcome.exitCode !== 0 || (command === 'run' && !args.detach);
  if (containerGone) await undoHostActions(config.state.dir, args.containerId, hostRunner).catch(() => undefined);
  await closeDebugLog(); // exitLike ends the process: flush winston first
  return exitLike(outcome);
};
