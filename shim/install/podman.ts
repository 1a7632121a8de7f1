/**
 * `install podman` / `uninstall podman`: a runtime in containers.conf's [engine.runtimes]
 * (`NAME = ["/path/of/the/runtime"]`), used with `podman run --runtime NAME`. Podman passes a
 * runtime no arguments of ours, so a profile or config travels in a generated launcher
 * (install/launcher.ts). The file is backed up before a change and replaced atomically;
 * an entry that is already right is not rewritten. Podman reads containers.conf per command:
 * nothing to restart.
 */
import { join } from 'node:path';
import { OpenclawError } from '../errors.js';
import { deepClone, jsonEqual } from '../util/json.js';
import { editConfigFile, type EditResult } from './config-files.js';
import { launcherPathFor, removeLauncher, tomlFile } from './containerd.js';
import { isTomlTable, type TomlTable } from './containerd-config.js';
import type { InstallFlags } from './flags.js';
import { DEFAULT_LAUNCHER_DIR, writeLauncher } from './launcher.js';
import type { InstallOutput } from './output.js';
import { shimBinaryPath } from '../package.js';

export const DEFAULT_CONTAINERS_CONF = '/etc/containers/containers.conf';

function runtimesTable(config: TomlTable, file: string, create: boolean): TomlTable | undefined {
  let engine = config.engine;
  if (engine === undefined) {
    if (!create) return undefined;
    engine = config.engine = {};
  }
  if (!isTomlTable(engine)) throw new OpenclawError('install', 'must be a table', { file, field: 'engine', fix: 'correct containers.conf by hand, then run the install again' });
  let runtimes = engine.runtimes;
  if (runtimes === undefined) {
    if (!create) return undefined;
    runtimes = engine.runtimes = {};
  }
  if (!isTomlTable(runtimes)) throw new OpenclawError('install', 'must be a table', { file, field: 'engine.runtimes', fix: 'correct containers.conf by hand, then run the install again' });
  return runtimes;
}

/** Pure: containers.conf with runtime `name` = [binary]. */
export function addPodmanRuntime(input: TomlTable, name: string, binary: string, file = 'containers.conf'): EditResult<TomlTable> {
  if (!binary.startsWith('/')) throw new OpenclawError('install', `runtime path "${binary}" is not absolute`, { fix: 'pass --binary with an absolute path' });
  const config = deepClone(input);
  const runtimes = runtimesTable(config, file, true) as TomlTable;
  const before = runtimes[name];
  const entry = [binary];
  if (jsonEqual(before, entry)) return { config, changed: false, notes: [] };
  runtimes[name] = entry;
  return { config, changed: true, notes: [`engine.runtimes.${name}: ${before === undefined ? 'added' : 'updated'}`] };
}

export function removePodmanRuntime(input: TomlTable, name: string, file = 'containers.conf'): EditResult<TomlTable> {
  const config = deepClone(input);
  const runtimes = runtimesTable(config, file, false);
  if (!runtimes || runtimes[name] === undefined) return { config, changed: false, notes: [] };
  delete runtimes[name];
  const engine = config.engine as TomlTable;
  if (Object.keys(runtimes).length === 0) delete engine.runtimes;
  if (Object.keys(engine).length === 0) delete config.engine;
  return { config, changed: true, notes: [`engine.runtimes.${name}: removed`] };
}

export function installPodman(flags: InstallFlags, out: InstallOutput): number {
  const file = flags.config ?? DEFAULT_CONTAINERS_CONF;
  const shim = flags.binary ?? shimBinaryPath();
  const launcher = launcherPathFor(flags);
  if (launcher) writeLauncher({ path: launcher, binary: shim, profile: flags.profile, openclawConfig: flags.openclawConfig, engine: 'podman' }, flags.dryRun, out);
  editConfigFile({
    ...tomlFile(flags, out),
    file,
    edit: (c) => addPodmanRuntime(c, flags.name, launcher ?? shim, file),
    unchanged: `${file}: runtime "${flags.name}" already registered, nothing written`,
  });
  if (!flags.dryRun) out.say(`use it with: podman run --runtime ${flags.name} ...`);
  return 0;
}

export function uninstallPodman(flags: InstallFlags, out: InstallOutput): number {
  const file = flags.config ?? DEFAULT_CONTAINERS_CONF;
  editConfigFile({
    ...tomlFile(flags, out),
    file,
    edit: (c) => removePodmanRuntime(c, flags.name, file),
    unchanged: `runtime "${flags.name}" is not registered in ${file}, nothing to remove`,
  });
  removeLauncher(join(flags.launcherDir ?? DEFAULT_LAUNCHER_DIR, flags.name), flags.dryRun, out);
  return 0;
}

/** What install/engines.ts runs for `install podman` and `uninstall podman`. */
export const engineActions = { install: installPodman, uninstall: uninstallPodman };
