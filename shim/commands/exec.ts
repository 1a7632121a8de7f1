/**
 * `exec`: an engine's exec into a running container (`docker exec`, `kubectl exec`, CRI
 * ExecSync, `ctr tasks exec`), held to the container's profile before runc runs it.
 *
 * runc takes the exec'd process from the engine's own stored spec (`--process FILE`) or
 * builds it from its flags over the bundle's config.json; neither is the process create
 * merged. So: runc's own state names the container's bundle -> its config.json (merged at
 * create, written only by root and the engine) -> the profile, chosen as create chose it ->
 * the profile's engineExec policy -> the requested process (the engine's file, untouched, or
 * the flags turned into a process the way runc would) -> clampExecProcess -> a new file in the
 * shim's state dir -> `runc exec --process <that file>` with the runner flags as given.
 * Everything that can refuse runs before runc; a refusal goes to runc's --log and stderr.
 */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseExecArgs } from '../cli/argv.js';
import { exitLike, inheritedFds, runCaptured, runInherited } from '../util/child-process.js';
import { aliasDeviceStdio, closeAll } from '../host/stdio-alias.js';
import { loadConfig } from '../config/load.js';
import { runtimeFromConfig } from '../config/runtime-path.js';
import { OpenclawError } from '../errors.js';
import { closeDebugLog, debugLog, openDebugLog, writeRuntimeLog } from '../log.js';
import { checkEngineExecPolicy, clampExecProcess, containerIdMaps, parseIdMap, requestFromFlags } from '../merge/exec-process.js';
import { loadProfileForConfig } from '../profile/load-for-config.js';
import { selectProfile } from '../profile/select.js';
import { parseJsonLossless, stringifyJsonLossless } from '../util/json.js';
import { removeFilesOfDeadWriters } from '../util/atomic-file.js';
import { readSpec, MAX_SPEC_BYTES } from '../oci/bundle.js';
import type { SpecProcess } from '../oci/types.js';
import type { CommandContext, CommandHandler } from './types.js';

interface RuncState {
  bundle: string;
  pid: number;
  status: string;
}

/** `runc [globals] state ID`: where the container's bundle is (runc keeps it as a label). */
async function runcState(runtime: string, globals: readonly string[], id: string, cwd: string): Promise<RuncState> {
  const fail = (why: string): never => {
    throw new OpenclawError('runtime', `cannot exec into container ${id}: ${runtime} state ${id} ${why}`, { fix: 'check that the container exists and is running (runc list)' });
  };
  let r;
  try {
    // In the caller's cwd: a relative --root is the caller's.
    r = await runCaptured(runtime, [...globals, 'state', id], { cwd });
  } catch (err) {
    return fail(`failed: ${(err as Error).message}`);
  }
  if (r.exitCode !== 0) return fail(`failed: ${r.stderr.toString('utf8').trim() || (r.signal ? `killed by ${r.signal}` : `exit ${String(r.exitCode)}`)}`);
  let state: Partial<RuncState>;
  try {
    state = JSON.parse(r.stdout.toString('utf8')) as Partial<RuncState>;
  } catch {
    return fail('printed no JSON');
  }
  if (typeof state.bundle !== 'string' || !state.bundle.startsWith('/')) return fail('named no bundle');
  return { bundle: state.bundle, pid: typeof state.pid === 'number' ? state.pid : 0, status: String(state.status) };
}

/** The engine's --process file, read and left as it is. */
function readRequestedProcess(path: string): SpecProcess {
  let text: string;
  try {
    const bytes = readFileSync(path);
    if (bytes.length > MAX_SPEC_BYTES) throw new Error(`larger than ${MAX_SPEC_BYTES} bytes`);
    text = bytes.toString('utf8');
  } catch (err) {
    throw new OpenclawError('spec', `cannot read the exec's process file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { file: path, fix: 'pass the process JSON that runc exec --process expects' });
  }
  let value: unknown;
  try {
    value = parseJsonLossless(text);
  } catch (err) {
    throw new OpenclawError('spec', `is not valid JSON: ${(err as Error).message}`, { file: path, fix: 'pass the process JSON that runc exec --process expects' });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new OpenclawError('spec', 'must hold a JSON object (an OCI process)', { file: path, fix: 'pass the process JSON that runc exec --process expects' });
  }
  return value as SpecProcess;
}

/** A new file (never an existing one) only root can read, holding the clamped process. */
function writeProcessFile(stateDir: string, process_: SpecProcess, runtimePid: number): string {
  const dir = join(stateDir, 'exec');
  // The state dir is 0711 (mapped ids traverse it to rootfs binds): made as create makes it.
  mkdirSync(stateDir, { recursive: true, mode: 0o711 });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Clamped process files whose runtime is gone: the Node path's after a SIGKILL, and every file
  // the service wrote (the launcher became the runtime, and nobody outlives it to remove it).
  removeFilesOfDeadWriters(dir, /^(\d+)-[0-9a-f]{12}\.json$/, runtimePid);
  const path = join(dir, `${runtimePid}-${randomBytes(6).toString('hex')}.json`);
  const fd = openSync(path, 'wx', 0o600);
  try {
    const data = Buffer.from(stringifyJsonLossless(process_, 0));
    let off = 0;
    while (off < data.length) off += writeSync(fd, data, off, data.length - off);
  } finally {
    closeSync(fd);
  }
  return path;
}

export interface PreparedExec {
  /** The low-level runtime to run. */
  runtime: string;
  /** Its argv (without argv[0]): `globals exec runnerArgs --process FILE ID`. */
  runtimeArgv: string[];
  /** The clamped process file in `<state.dir>/exec/` (root-only; removed by the caller or swept). */
  processFile: string;
  stateDir: string;
  containerId: string;
  preserveFds: number;
  /** The container has a user namespace: stdio device nodes must reach the runtime as private aliases. */
  userns: boolean;
}

export interface PrepareExecOptions {
  /** Open the config's winston debug log (the one-shot Node path; the service does not). */
  debugLog?: boolean;
  /** The launcher to skip when looking the runtime up on PATH (a service request names it). */
  self?: string;
  /**
   * The process that will be the runtime (its pid names the process file, so the sweep
   * removes the file once it is gone): Node's own pid on the Node path, the launcher's (which
   * execs the runtime, keeping its pid) when the service prepares the exec.
   */
  runtimePid?: number;
}

/**
 * Everything of `exec` but running the runtime: runc state, the bundle's config.json, the
 * profile, engineExec, the clamp, the agent, the clamped process file. The Node path
 * (execCommand) and the resident service (shim/service/handle.ts) both call it. Relative paths
 * (--process, --root) are the caller's: resolved against `cwd`.
 * Returns undefined for `exec --help` (runc's own answer, nothing to prepare).
 */
export async function prepareExec({ argv, cwd, env, log }: CommandContext, opts: PrepareExecOptions = {}): Promise<PreparedExec | undefined> {
  const args = parseExecArgs(argv.commandArgs);
  if (args.help) return undefined;
  const loaded = await loadConfig(argv.shim.openclawConfig, env);
  const { config } = loaded;
  const runtime = runtimeFromConfig(loaded, env, opts.self);
  // runc's global flags: everything before the command in the argv runc would get.
  const globals = argv.runcArgv.slice(0, argv.runcArgv.length - argv.commandArgs.length - 1);
  const id = args.containerId;
  if (!id) throw new OpenclawError('cli', '"exec" needs a container id', { fix: 'openclaw-runtime exec [--process FILE] ID [COMMAND...]' });

  const state = await runcState(runtime, globals, id, cwd);
  const spec = readSpec(state.bundle);
  const choice = selectProfile({ flag: argv.shim.profile, spec: spec.spec, config, configPath: loaded.path, cwd });
  const { profile } = await loadProfileForConfig(choice.path, config);
  checkEngineExecPolicy(profile, id);

  const fromFile = args.process.processFile;
  const requested = fromFile === undefined ? requestFromFlags(spec.spec.process, args.process, args.command) : readRequestedProcess(resolvePath(cwd, fromFile));
  let maps = containerIdMaps(spec.spec);
  if (!maps) {
    // A user namespace joined by path: the maps are the kernel's, read from the container's init.
    const read = (f: string) => {
      const path = `/proc/${state.pid}/${f}`;
      try {
        if (!(state.pid > 0)) throw new Error('runc state gave no pid');
        return parseIdMap(readFileSync(path, 'utf8'));
      } catch (err) {
        throw new OpenclawError('runtime', `cannot read the id map of container ${id}'s user namespace (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, {
          file: path,
          fix: 'check that the container is running (runc state)',
        });
      }
    };
    maps = { uid: read('uid_map'), gid: read('gid_map') };
  }
  const clamped = clampExecProcess({
    profile,
    container: spec.spec,
    requested,
    requestedFrom: fromFile === undefined ? 'runc exec flags' : `the exec's process file ${fromFile}`,
    uidMap: maps.uid,
    gidMap: maps.gid,
  });

  if (opts.debugLog) await openDebugLog(config.log.file, config.log.level);
  debugLog('info', 'exec clamped', { id, profile: profile.profile.metadata.name, source: choice.source, from: fromFile ?? 'flags' });
  const listener = spec.spec.linux?.seccomp?.listenerPath;
  if (listener !== undefined && listener === config.agent.socket) {
    // Each exec'd process connects to the agent with its own seccomp fd.
    const { ensureAgent } = await import('../agent/client.js');
    await ensureAgent(config, { configPath: loaded.path });
  }

  const processFile = writeProcessFile(config.state.dir, clamped, opts.runtimePid ?? process.pid);
  writeRuntimeLog(log, 'info', `openclaw-runtime: exec held to profile ${profile.profile.metadata.name} (sha256 ${profile.sha256.slice(0, 12)})`);
  return {
    runtime,
    runtimeArgv: [...globals, 'exec', ...args.runnerArgv, '--process', processFile, id],
    processFile,
    stateDir: config.state.dir,
    containerId: id,
    preserveFds: argv.preserveFds,
    userns: (spec.spec.linux?.namespaces ?? []).some((n) => n.type === 'user'),
  };
}

export const execCommand: CommandHandler = async (ctx) => {
  const prepared = await prepareExec(ctx, { debugLog: true });
  if (!prepared) {
    const loaded = await loadConfig(ctx.argv.shim.openclawConfig, ctx.env);
    return exitLike(await runInherited(runtimeFromConfig(loaded, ctx.env), ctx.argv.runcArgv, []));
  }
  const { processFile } = prepared;
  try {
    // Under a user namespace the runtime chowns stdio: device nodes go as private aliases (host/stdio-alias.ts).
    const aliases = prepared.userns ? aliasDeviceStdio(prepared.stateDir, `exec-${prepared.containerId}`) : undefined;
    const outcome = await runInherited(prepared.runtime, prepared.runtimeArgv, inheritedFds(prepared.preserveFds), aliases?.stdio).finally(() => closeAll(aliases?.opened ?? []));
    unlinkSync(processFile);
    await closeDebugLog();
    return exitLike(outcome);
  } catch (err) {
    try {
      unlinkSync(processFile);
    } catch {
      /* already gone */
    }
    throw err;
  }
};
