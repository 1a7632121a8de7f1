/**
 * `create` and `run`: merge the profile into the bundle's config.json, then hand the very
 * same command line (minus the shim's flags) to runc.
 *
 * Order, so that nothing is lost on failure: everything that can refuse (config, profile,
 * merge) runs before anything is written; host actions are recorded then done; config.json
 * is replaced atomically; only then does runc run. If runc's create fails, the host actions
 * are undone (the engine will not call delete for a container that never existed).
 *
 * Each step with an effect outside this process is a field of CreateEffects, so that order is
 * pinned by a table test (test/unit/commands/create.test.ts) with the effects recorded;
 * CREATE_EFFECTS are the real ones.
 *
 * prepareCreate is everything before runc: the Node path (createCommand) and the resident
 * service (shim/service/handle.ts) both call it, so there is one create pipeline and two
 * transports.
 */
import { parseCreateArgs, type CreateArgs } from '../cli/argv.js';
import { exitLike, inheritedFds, runInherited, hostRunner, type RunResult } from '../util/child-process.js';
import { runtimeFromConfig } from '../config/runtime-path.js';
import type { RuntimeConfig } from '../config/schema.js';
import { OpenclawError } from '../errors.js';
import { creatorOf, performHostActions, readHostRecord, runtimeKnows, runtimeStateRoot, sweepStale, undoHostActions, type Creator } from '../host/actions.js';
import { validContainerId } from '../oci/container-id.js';
import { aliasDeviceStdio, closeAll } from '../host/stdio-alias.js';
import { closeDebugLog, debugLog, openDebugLog, writeRuntimeLog } from '../log.js';
import { pipelineInputFrom, runPipeline, type PipelineInput, type PipelineResult } from '../pipeline.js';
import { jsonEqual } from '../util/json.js';
import { serializeSpec, writeSpecAtomic } from '../oci/bundle.js';
import type { Spec } from '../oci/types.js';
import type { CommandContext, CommandHandler } from './types.js';
import type { HostAction } from '../host/types.js';

/** Everything create does outside this process, in the order it does it. */
export interface CreateEffects {
  /** Config, profile, compile, host facts, merge: everything that can refuse. Writes nothing. */
  runPipeline(input: PipelineInput): Promise<PipelineResult>;
  /** A seccomp agent answers on config.agent.socket (started if none does). */
  /** configPath: the file the config came from (the agent reads it itself, and again when it changes). */
  ensureAgent(config: RuntimeConfig, configPath: string | undefined): Promise<void>;
  hostActions: {
    /** Undoes what creates that died half-way left behind (host/actions.ts sweepStale). */
    sweep(stateDir: string): Promise<unknown>;
    /** Records, then does, the merge's host actions; undoes them itself if one fails. */
    perform(stateDir: string, id: string, runcRoot: string, actions: HostAction[], creator?: Creator): Promise<void>;
    undo(stateDir: string, id: string): Promise<unknown>;
  };
  /** Replaces the bundle's config.json atomically. */
  writeSpec(path: string, spec: Spec): void;
  /** The low-level runtime with our stdio (or its aliases) and the inherited fds; resolves when it exits. */
  runRuntime: typeof runInherited;
}

export const CREATE_EFFECTS: CreateEffects = {
  runPipeline,
  // Loaded only for a filter with a listener: most creates never need the agent's client.
  ensureAgent: async (config, configPath) => (await import('../agent/client.js')).ensureAgent(config, { configPath }),
  hostActions: {
    sweep: (stateDir) => sweepStale(stateDir, hostRunner),
    perform: (stateDir, id, runcRoot, actions, creator) => performHostActions(stateDir, id, runcRoot, actions, hostRunner, creator),
    undo: (stateDir, id) => undoHostActions(stateDir, id, hostRunner),
  },
  // Not durable (no fsync): runc reads the file from the page cache right after, and a
  // power loss ends the container anyway; an engine writes the bundle again and every create
  // merges it again before runc runs, so a merged config.json lost to a power cut is never
  // run unmerged. Atomic still: a killed writer leaves the original or the whole merge.
  // (The two fsyncs were over half of the shim's part of a create: bench results, round 2.)
  writeSpec: (path, spec) => writeSpecAtomic(path, serializeSpec(spec), { durable: false }),
  runRuntime: runInherited,
};

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
  /** Where the runtime keeps its containers' state (--root or its default). */
  stateRoot: string;
}

export interface PrepareOptions {
  /** Open the config's winston debug log (the one-shot Node path; the service does not). */
  debugLog?: boolean;
  /** The launcher to skip when looking the runtime up on PATH (a service request names it). */
  self?: string;
  /**
   * Called with the sweep of stale host records instead of awaiting it: the long-lived service
   * runs it after answering (it reads every record in the state dir, off the create's path);
   * the one-shot Node path awaits it, since its process ends with the command.
   */
  deferSweep?: (sweep: () => Promise<void>) => void;
  /**
   * The process that will run the runtime (the service: the launcher that asked, which execs
   * it; default: this process, which waits for it). Recorded so that the sweep can tell a
   * create in flight from one whose runtime has exited (host/actions.ts HostRecord.creator).
   * null: not known (no creator is recorded).
   */
  runtimePid?: number | null;
}

/** Config, profile, merge, agent, host actions, atomic write: all of create but running runc. */
export async function prepareCreate(ctx: CommandContext, opts: PrepareOptions = {}, effects: CreateEffects = CREATE_EFFECTS): Promise<PreparedCreate> {
  const { argv, cwd, env, log } = ctx;
  const command = argv.command as 'create' | 'run';
  const args = parseCreateArgs(command, argv.commandArgs, cwd);
  const containerId = args.containerId;
  if (!containerId) {
    throw new OpenclawError('cli', `"${command}" needs a container id`, { fix: `openclaw-runtime ${command} --bundle DIR ID` });
  }
  const result = await effects.runPipeline(pipelineInputFrom(argv, { bundle: args.bundle, containerId }, ctx));
  const { config, merged, profile, spec } = result;
  if (opts.debugLog) await openDebugLog(config.log.file, config.log.level);
  debugLog('info', 'merged profile', { id: containerId, profile: profile.profile.metadata.name, sha256: profile.sha256, source: result.choice.source, hostActions: merged.hostActions.length });
  const runtime = runtimeFromConfig({ config, path: result.configPath }, env, opts.self);

  if (result.compiledFilter?.spec.listenerPath) await effects.ensureAgent(config, result.configPath);

  const runcRoot = runtimeStateRoot(runtime, argv.globals.root);
  // A container of this id is alive: the runtime will refuse this create, and the record,
  // job directory and rootfs bind of this id are that container's. Recording over them and
  // undoing when the runtime refuses would pull them from under it.
  if (validContainerId(containerId) && runtimeKnows(runcRoot, containerId)) {
    throw new OpenclawError('host', `container ${containerId} already exists (state in ${runcRoot}); nothing was changed for this ${command}`, {
      fix: `delete the container first (openclaw-runtime delete ${containerId}), or ${command} under a new id`,
    });
  }
  const sweep = () => effects.hostActions.sweep(config.state.dir).then(
    () => undefined,
    (err: unknown) => debugLog('warn', 'stale sweep failed', { err: String(err) }),
  );
  // A record already there for this id (a reused id) must be swept before this create's
  // record replaces it, or its host set-up would never be undone.
  if (opts.deferSweep && !readHostRecord(config.state.dir, containerId)) opts.deferSweep(sweep);
  else await sweep();
  await effects.hostActions.perform(config.state.dir, containerId, runcRoot, merged.hostActions, opts.runtimePid === null ? undefined : creatorOf(opts.runtimePid ?? process.pid));

  try {
    if (!jsonEqual(merged.spec, spec.spec)) effects.writeSpec(spec.path, merged.spec);
  } catch (err) {
    await effects.hostActions.undo(config.state.dir, containerId).catch(() => undefined);
    throw err;
  }
  writeRuntimeLog(log, 'info', `openclaw-runtime: applied profile ${profile.profile.metadata.name} (sha256 ${profile.sha256.slice(0, 12)})`);
  const userns = (merged.spec.linux?.namespaces ?? []).some((n) => n.type === 'user');
  return { command, args: { ...args, containerId }, config, configPath: result.configPath, runtime, userns, stateRoot: runcRoot };
}

/** All of create or run on the Node path, through the runtime's exit. */
export async function createAndRun(ctx: CommandContext, effects: CreateEffects = CREATE_EFFECTS): Promise<RunResult> {
  const { command, args, config, runtime, userns, stateRoot } = await prepareCreate(ctx, { debugLog: true }, effects);
  // Under a user namespace the runtime chowns stdio to the container's root: device nodes go
  // as private aliases, never the host's own (host/stdio-alias.ts).
  const aliases = userns ? aliasDeviceStdio(config.state.dir, args.containerId) : undefined;
  let outcome: RunResult;
  try {
    outcome = await effects.runRuntime(runtime, ctx.argv.runcArgv, inheritedFds(ctx.argv.preserveFds), aliases?.stdio).finally(() => closeAll(aliases?.opened ?? []));
  } catch (err) {
    // The runtime never started (ENOENT, EACCES, EMFILE): no container exists and no delete
    // will come, so the host side is undone now rather than left to the next create's sweep.
    await effects.hostActions.undo(config.state.dir, args.containerId).catch(() => undefined);
    throw err;
  }
  // `run` without --detach has finished the container's whole life here; a failed create
  // left nothing for the engine to delete. Either way the host side is ours to undo (the
  // poststop hook may have undone it already: undo finds no record then). Only once the
  // runtime no longer knows the id: a container that does is not this call's to undo.
  const containerGone = (outcome.exitCode !== 0 || (command === 'run' && !args.detach)) && !runtimeKnows(stateRoot, args.containerId);
  if (containerGone) await effects.hostActions.undo(config.state.dir, args.containerId).catch(() => undefined);
  return outcome;
}

export const createCommand: CommandHandler = async (ctx) => {
  const outcome = await createAndRun(ctx);
  await closeDebugLog(); // exitLike ends the process: flush winston first
  return exitLike(outcome);
};
