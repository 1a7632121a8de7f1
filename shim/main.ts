/**
 * Entry point: parse the command line, run the shim's own handler for the few commands it
 * wraps (create, run, exec, delete, features, and its own), hand everything else to runc.
 */
import { realpathSync } from 'node:fs';
import { asksRuntimeHelp, parseArgv } from './cli/argv.js';
import { serviceDir, SERVICE_START_ENV } from './service/paths.js';
import { resolveRuntimeRecorded } from './service/resolve-runtime.js';
import { runInherited, exitLike, inheritedFds } from './util/child-process.js';
import { SHIM_COMMANDS } from './commands/index.js';
import { isOpenclawError } from './errors.js';
import { reportFailure, closeDebugLog, type RuntimeLogTarget } from './log.js';

/** The launcher that started this process (it passes itself as argv[1]), real path. */
function launcherPath(): string | undefined {
  try {
    return process.argv[1] ? realpathSync(process.argv[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The native launcher found no service to ask and fell back to Node: start one in the
 * background (this call is served here; the next by the service). Never fails the call.
 */
async function startServiceIfAsked(): Promise<void> {
  if (!process.env[SERVICE_START_ENV]) return;
  delete process.env[SERVICE_START_ENV];
  try {
    const { startService } = await import('./service/client.js');
    await startService(serviceDir(process.env), { wait: false });
  } catch {
    // no addon, not root: the Node path stays correct, only slower
  }
}

export async function main(argv: readonly string[]): Promise<never> {
  let log: RuntimeLogTarget = {};
  try {
    await startServiceIfAsked();
    const parsed = parseArgv(argv);
    log = { file: parsed.globals.log, format: parsed.globals.logFormat };
    // hasOwn: `constructor` and friends are runc's business, not prototype lookups.
    // `create --help` and the like are runc's (asksRuntimeHelp): they pass through.
    const load = parsed.command !== undefined && Object.hasOwn(SHIM_COMMANDS, parsed.command) && !asksRuntimeHelp(parsed.command, parsed.commandArgs) ? SHIM_COMMANDS[parsed.command] : undefined;
    if (load) {
      const handler = await load();
      const code = await handler({ argv: parsed, cwd: process.cwd(), env: process.env, log });
      await closeDebugLog();
      process.exit(code);
    }
    // `--help` / `--version` with no command: ours first, then the runtime's answer (top-level.ts).
    const top = parsed.command === undefined && (parsed.globals.help || parsed.globals.version) ? await import('./commands/top-level.js') : undefined;
    if (top && !parsed.globals.help) top.writeOut(top.versionText());
    const { runtime } = await resolveRuntimeRecorded(serviceDir(process.env), parsed.shim.openclawConfig, process.env, launcherPath());
    if (top && parsed.globals.help) top.writeOut(top.helpText(runtime));
    const result = await runInherited(runtime, parsed.runcArgv, inheritedFds(parsed.preserveFds));
    exitLike(result);
  } catch (err) {
    const msg = isOpenclawError(err) ? err.message : `internal error: ${(err as Error)?.stack ?? String(err)}`;
    reportFailure(log, msg);
    await closeDebugLog();
    process.exit(isOpenclawError(err) ? 1 : 2);
  }
}
