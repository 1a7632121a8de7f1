/**
 * `delete`: runc deletes the container, then the shim undoes what its create did on the host
 * (the rootfs bind). The clean-up runs whenever runc no longer knows the container, even if
 * runc said it did not exist, so an engine retrying delete after a crash still frees the host.
 */
import { parseDeleteArgs } from '../cli/argv.js';
import { exitLike, runInherited } from '../util/child-process.js';
import { loadConfig } from '../config/load.js';
import { runtimeFromConfig } from '../config/runtime-path.js';
import { runtimeKnows, runtimeStateRoot, undoHostActions } from '../host/actions.js';
import { hostRunner } from '../util/child-process.js';
import { reportFailure } from '../log.js';
import type { CommandHandler } from './types.js';

export const deleteCommand: CommandHandler = async ({ argv, env, log }) => {
  const loaded = await loadConfig(argv.shim.openclawConfig, env);
  const { config } = loaded;
  const runtime = runtimeFromConfig(loaded, env);
  const outcome = await runInherited(runtime, argv.runcArgv, []);
  const { containerId } = parseDeleteArgs(argv.commandArgs);
  // Only once runc no longer knows the container: a refused delete (still running, no
  // --force) must not pull the rootfs from under it.
  if (containerId && !runtimeKnows(runtimeStateRoot(runtime, argv.globals.root), containerId)) {
    try {
      await undoHostActions(config.state.dir, containerId, hostRunner);
    } catch (err) {
      reportFailure(log, `container ${containerId} deleted, but undoing its host set-up failed: ${(err as Error).message}`);
    }
  }
  return exitLike(outcome);
};
