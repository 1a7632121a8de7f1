/**
 * What the resident service does with one request: the same decisions the Node path makes,
 * on the same code (parseArgv, prepareCreate, prepareExec, featuresOutput, runtimeFromConfig),
 * answered as "exec the runtime" (with the caller's argv, or for exec with the argv
 * prepareExec built), "exit with this output" or "use the Node path".
 *
 * Paths in the request are the caller's: everything relative (--openclaw-config,
 * OPENCLAW_CONFIG, --log, --root, the bundle, a --profile path) is resolved against the
 * caller's cwd, never the service's.
 */
import { existsSync, statSync, type BigIntStats } from 'node:fs';
import { join, resolve } from 'node:path';
import { asksRuntimeHelp, parseArgv, parseDeleteArgs, type ParsedArgv } from '../cli/argv.js';
import { configPathFor, loadConfig, type LoadedConfig } from '../config/load.js';
import { changedKeys, configIdentityNow } from '../config/watch.js';
import type { RuntimeConfig } from '../config/schema.js';
import { isOpenclawError } from '../errors.js';
import { writeRuntimeLog, type RuntimeLogTarget } from '../log.js';
import { SHIM_COMMANDS } from '../commands/index.js';
import { runtimeKnows, runtimeStateRoot, undoHostActions } from '../host/actions.js';
import { hostRunner } from '../util/child-process.js';
import { SERVICE_PROTOCOL_VERSION, type ServiceRequest, type ServiceResponse } from './protocol.js';
import { resolveRuntimeRecorded } from './resolve-runtime.js';
import { DEFAULT_PATH, writeResolved } from './resolved.js';
import { stdioAliasDir } from '../host/stdio-alias.js';

/** Commands the service answers itself; every other shim command goes to the Node path. */
export const SERVICE_COMMANDS = ['create', 'run', 'exec', 'features', 'delete', 'hook'] as const;

export interface HandlerContext {
  serviceDir: string;
  /** Cached `features` answers: key -> output. */
  featuresCache: Map<string, ServiceResponse>;
  /** The configs requests used, by path: the identity last seen and what it held (noteConfig). */
  configsSeen: Map<string, { identity: string; config?: RuntimeConfig }>;
  /** Changed config files seen (stats). */
  configReloads: number;
  log: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
}

/** Most config files remembered for reload logging (one per engine registration, in practice). */
const MAX_CONFIGS_SEEN = 32;

/**
 * Every request reads its config afresh (never stale); this only logs when the file a request
 * names changed since a request last used it, with the settings that changed: the service's
 * reload line. One stat per request; the file is parsed here only when it changed.
 */
export async function noteConfig(ctx: HandlerContext, path: string): Promise<void> {
  const identity = configIdentityNow(path);
  const seen = ctx.configsSeen.get(path);
  if (seen?.identity === identity) return;
  let config: RuntimeConfig | undefined;
  try {
    config = identity === 'absent' ? undefined : (await loadConfig(path, {})).config;
  } catch (err) {
    ctx.log('error', `config ${path}: ${(err as Error).message}`, { config: path });
  }
  if (ctx.configsSeen.size >= MAX_CONFIGS_SEEN && !seen) ctx.configsSeen.clear();
  ctx.configsSeen.set(path, { identity, config });
  if (!seen) {
    ctx.log('info', `config ${path} ${identity === 'absent' ? 'absent: built-in defaults' : 'in use'}`, { config: path });
    return;
  }
  ctx.configReloads++;
  const changed = seen.config && config ? changedKeys(seen.config, config) : ['(whole file)'];
  ctx.log('info', `config reloaded (changed since the last request): ${path}${changed.length ? `: changed ${changed.join(', ')}` : ': no setting changed'}`, { config: path, changed });
}

const EMPTY = Buffer.alloc(0);

export function nodePath(): ServiceResponse {
  return { status: 'node', exit: 0, runtime: '', stdout: EMPTY, stderr: EMPTY };
}

function execRuntime(runtime: string, aliasDir = ''): ServiceResponse {
  return { status: 'exec', exit: 0, runtime, aliasDir, stdout: EMPTY, stderr: EMPTY };
}

/** As main.ts reports a failure: to runc's --log in runc's format, and (by the launcher) to stderr. */
function failure(log: RuntimeLogTarget, err: unknown): ServiceResponse {
  const msg = isOpenclawError(err) ? err.message : `internal error: ${(err as Error)?.stack ?? String(err)}`;
  writeRuntimeLog(log, 'error', `openclaw-runtime: ${msg}`);
  return { status: 'exit', exit: isOpenclawError(err) ? 1 : 2, runtime: '', stdout: EMPTY, stderr: Buffer.from(`openclaw-runtime: ${msg}\n`) };
}

/** The caller's view of every path the pipeline reads relative to the working directory. */
function callerPaths(parsed: ParsedArgv, req: ServiceRequest): { parsed: ParsedArgv; env: NodeJS.ProcessEnv } {
  const abs = (p: string | undefined): string | undefined => (p === undefined || p === '' ? p : resolve(req.cwd, p));
  const env: NodeJS.ProcessEnv = { ...req.env };
  if (env.OPENCLAW_CONFIG) env.OPENCLAW_CONFIG = abs(env.OPENCLAW_CONFIG);
  return {
    parsed: {
      ...parsed,
      shim: { ...parsed.shim, openclawConfig: abs(parsed.shim.openclawConfig) },
      globals: { ...parsed.globals, log: abs(parsed.globals.log), root: abs(parsed.globals.root) },
    },
    env,
  };
}

function statBig(path: string): BigIntStats | undefined {
  try {
    return statSync(path, { bigint: true });
  } catch {
    return undefined;
  }
}

function resolveRuntime(ctx: HandlerContext, parsed: ParsedArgv, env: NodeJS.ProcessEnv, self: string): Promise<{ loaded: LoadedConfig; runtime: string }> {
  return resolveRuntimeRecorded(ctx.serviceDir, parsed.shim.openclawConfig, env, self);
}

/**
 * peerPid: the launcher's pid (SO_PEERCRED), which the runtime it execs keeps; an exec's
 * clamped process file is named after it, so the next exec's sweep removes it once runc is gone.
 */
export async function handleRequest(ctx: HandlerContext, req: ServiceRequest, peerPid?: number): Promise<ServiceResponse> {
  if (req.version !== SERVICE_PROTOCOL_VERSION || !req.cwd.startsWith('/') || !req.self.startsWith('/')) return nodePath();
  let log: RuntimeLogTarget = {};
  try {
    const raw = parseArgv(req.argv);
    const { parsed, env } = callerPaths(raw, req);
    log = { file: parsed.globals.log, format: parsed.globals.logFormat };
    await noteConfig(ctx, configPathFor(parsed.shim.openclawConfig, env).path);
    const command = parsed.command;
    const isShimCommand = command !== undefined && Object.hasOwn(SHIM_COMMANDS, command) && !asksRuntimeHelp(command, parsed.commandArgs);
    if (!isShimCommand) return execRuntime((await resolveRuntime(ctx, parsed, env, req.self)).runtime);
    switch (command) {
      case 'create':
      case 'run': {
        const { prepareCreate } = await import('../commands/create.js');
        const configPath = configPathFor(parsed.shim.openclawConfig, env).path;
        const before = statBig(configPath); // before the pipeline reads it (resolved.ts)
        // The stale-record sweep waits for the next turn of the event loop, after this answer is written.
        // Without the launcher's pid (the runtime's, once it execs) the record names no creator: the sweep's age rule applies.
        const prepared = await prepareCreate({ argv: parsed, cwd: req.cwd, env, log }, { self: req.self, runtimePid: peerPid !== undefined && peerPid > 0 ? peerPid : null, deferSweep: (sweep) => setImmediate(() => void sweep()) });
        // The engine's next calls (start, state, kill, delete) find the runtime without asking.
        if (before && prepared.configPath) {
          writeResolved(ctx.serviceDir, { configPath: prepared.configPath, stat: before, path: env.PATH ?? DEFAULT_PATH, self: req.self, runtime: prepared.runtime, stateDir: prepared.config.state.dir });
        }
        // Under a user namespace stdio device nodes reach the runtime as private aliases that the
        // launcher makes in this root-only directory (host/stdio-alias.ts says why).
        return execRuntime(prepared.runtime, prepared.userns ? stdioAliasDir(prepared.config.state.dir) : '');
      }
      case 'exec': {
        // The launcher's pid becomes runc's: without it nothing would remove the process file.
        if (!(peerPid !== undefined && peerPid > 0)) return nodePath();
        const { prepareExec } = await import('../commands/exec.js');
        const prepared = await prepareExec({ argv: parsed, cwd: req.cwd, env, log }, { self: req.self, runtimePid: peerPid });
        if (!prepared) return nodePath(); // exec --help: asksRuntimeHelp answered it above
        return {
          status: 'execv',
          exit: 0,
          runtime: prepared.runtime,
          argv: prepared.runtimeArgv,
          aliasDir: prepared.userns ? stdioAliasDir(prepared.stateDir) : '',
          stdout: EMPTY,
          stderr: EMPTY,
        };
      }
      case 'features':
        return await features(ctx, parsed, env, req.self);
      case 'delete': {
        // As the Node path's delete (commands/delete.ts), with runc exec'd by the launcher:
        // host set-up recorded for a container runc no longer knows is undone now; for one it
        // knows, runc's delete runs the poststop hook create added (hooks/openclaw-poststop,
        // answered by this service too), which undoes it. No record: runc alone.
        const { loaded, runtime } = await resolveRuntime(ctx, parsed, env, req.self);
        const { containerId } = parseDeleteArgs(parsed.commandArgs);
        if (!containerId || containerId.includes('/') || containerId === '.' || containerId === '..') return nodePath();
        if (existsSync(join(loaded.config.state.dir, 'containers', `${containerId}.json`))) {
          if (!runtimeKnows(runtimeStateRoot(runtime, parsed.globals.root), containerId)) {
            try {
              await undoHostActions(loaded.config.state.dir, containerId, hostRunner);
            } catch (err) {
              writeRuntimeLog(log, 'error', `openclaw-runtime: container ${containerId}: undoing its host set-up failed: ${(err as Error).message}`);
            }
          }
        }
        return execRuntime(runtime);
      }
      case 'hook': {
        const { runHook } = await import('../commands/hook.js');
        const out = await runHook(parsed.commandArgs, () => (req.stdin ?? Buffer.alloc(0)).toString('utf8'));
        return { status: 'exit', exit: out.code, runtime: '', stdout: out.stdout ? Buffer.from(out.stdout) : EMPTY, stderr: Buffer.from(out.stderr) };
      }
      default:
        return nodePath();
    }
  } catch (err) {
    return failure(log, err);
  }
}

/** runc's features answer changes only with the runc binary: computed once per binary and argv. */
async function features(ctx: HandlerContext, parsed: ParsedArgv, env: NodeJS.ProcessEnv, self: string): Promise<ServiceResponse> {
  const { runtime } = await resolveRuntime(ctx, parsed, env, self);
  const st = statBig(runtime);
  const key = JSON.stringify([runtime, String(st?.dev), String(st?.ino), String(st?.size), String(st?.mtimeNs), String(st?.ctimeNs), parsed.runcArgv]);
  const hit = ctx.featuresCache.get(key);
  if (hit) return hit;
  const { featuresOutput } = await import('../commands/features.js');
  const out = await featuresOutput(runtime, parsed.runcArgv);
  if (out.signal) return nodePath(); // let the Node path re-raise the signal as runc's own
  const answer: ServiceResponse = { status: 'exit', exit: out.exitCode ?? 1, runtime: '', stdout: out.stdout, stderr: out.stderr };
  if (out.exitCode === 0 && st) {
    if (ctx.featuresCache.size > 64) ctx.featuresCache.clear();
    ctx.featuresCache.set(key, answer);
  }
  return answer;
}

