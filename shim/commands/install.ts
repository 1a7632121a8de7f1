/**
 * `openclaw-runtime install ENGINE` / `uninstall ENGINE`: register the shim with a container
 * engine (as `nvidia-ctk runtime configure` and `runsc install` do). The work is in
 * shim/install/ (install/engines.ts names the engines); this file runs the named one.
 */
import type { CommandHandler } from './types.js';
import { parseInstallArgs } from '../install/install-args.js';
import { ENGINES } from '../install/engines.js';
import type { InstallFlags } from '../install/flags.js';
import { processOutput } from '../install/output.js';
import { OpenclawError } from '../errors.js';

function handler(action: 'install' | 'uninstall'): CommandHandler {
  return async ({ argv, env, cwd }) => {
    if (action === 'uninstall' && argv.commandArgs.includes('--all')) return uninstallAll(argv, env);
    const parsed = parseInstallArgs(action, argv.commandArgs);
    if (parsed.help !== undefined) {
      process.stdout.write(parsed.help);
      return 0;
    }
    const { engine, flags } = parsed;
    // `openclaw-runtime --profile P install docker` also works (the global flag parser took it).
    if (flags.profile === undefined && argv.shim.profile !== undefined) flags.profile = argv.shim.profile;
    if (flags.openclawConfig === undefined && argv.shim.openclawConfig !== undefined) flags.openclawConfig = argv.shim.openclawConfig;
    if (action === 'install' && flags.profile !== undefined) await checkProfile(flags, env, cwd);
    const actions = await ENGINES[engine]!.load();
    return actions[action](flags, processOutput);
  };
}

/**
 * The profile a runtime is registered with must resolve as create will resolve it (the config's
 * profile directories, then the package's), or every container of that runtime would fail.
 * A config that cannot be read yet only earns a note: it may be written after the install.
 */
async function checkProfile(flags: InstallFlags, env: NodeJS.ProcessEnv, cwd: string): Promise<void> {
  const { loadConfig } = await import('../config/load.js');
  const { selectProfile } = await import('../profile/select.js');
  let loaded;
  try {
    loaded = await loadConfig(flags.openclawConfig, env);
  } catch (err) {
    processOutput.say(`note: profile "${flags.profile}" not checked: ${(err as Error).message}`);
    return;
  }
  try {
    selectProfile({ flag: flags.profile, spec: {}, config: loaded.config, configPath: loaded.path, cwd });
  } catch (err) {
    throw new OpenclawError('install', `--profile ${flags.profile}: ${(err as OpenclawError).problem ?? (err as Error).message}`, { fix: (err as OpenclawError).fix ?? 'name a profile that exists' });
  }
}

/** `uninstall --all`: the listing on stdout first, then what is done on stderr (commands/uninstall-all.ts). */
async function uninstallAll(argv: Parameters<CommandHandler>[0]['argv'], env: NodeJS.ProcessEnv): Promise<number> {
  const { parseCommandArgs } = await import('../cli/command-args.js');
  const { UNINSTALL_ALL_SPEC } = await import('../install/install-args.js');
  const parsed = parseCommandArgs(UNINSTALL_ALL_SPEC, argv.commandArgs);
  if (parsed.help) {
    process.stdout.write(parsed.text);
    return 0;
  }
  const v = parsed.values;
  const { loadConfig } = await import('../config/load.js');
  const { serviceDir } = await import('../service/paths.js');
  const { shimBinaryPath } = await import('../package.js');
  const { hostRunner } = await import('../util/child-process.js');
  const { planUninstallAll, formatPlan, executeUninstallAll } = await import('./uninstall-all.js');
  const loaded = await loadConfig(argv.shim.openclawConfig, env);
  const options = {
    config: loaded.config,
    configPath: loaded.path,
    serviceDir: serviceDir(env),
    binary: shimBinaryPath(),
    dockerConfig: v['docker-config'],
    containerdConfig: v['containerd-config'],
    podmanConfig: v['podman-config'],
    launcherDir: v['launcher-dir'],
    systemdDropin: v['systemd-dropin'],
    pidfile: v.pidfile,
    jobs: v.jobs === true,
    dryRun: v['dry-run'] === true,
  };
  const plan = await planUninstallAll(options);
  processOutput.print(formatPlan(plan, options));
  if (options.dryRun) {
    processOutput.say(plan.blockers.length ? 'dry run: nothing changed (and uninstall --all would refuse: see "blocked")' : 'dry run: nothing changed');
    return plan.blockers.length ? 1 : 0;
  }
  return executeUninstallAll(plan, options, processOutput, hostRunner);
}

export const installCommand: CommandHandler = handler('install');
export const uninstallCommand: CommandHandler = handler('uninstall');
