/**
 * `install docker` / `uninstall docker`: daemon.json I/O around the pure edits in
 * docker-config.ts, then a reload of the running dockerd.
 */
import { accessSync, constants } from 'node:fs';
import { OpenclawError } from '../errors.js';
import { isRecord, parseJsonLossless, stringifyJsonLossless } from '../util/json.js';
import { editConfigFile, readOptional, type EditResult } from './config-files.js';
import { addDockerRuntime, removeDockerRuntime, type DaemonJson } from './docker-config.js';
import { DEFAULT_DOCKER_PIDFILE, DOCKER_RELOAD_HINT, reloadDockerd } from './docker-reload.js';
import type { InstallFlags } from './flags.js';
import type { InstallOutput } from './output.js';
import { shimBinaryPath } from '../package.js';

export const DEFAULT_DAEMON_JSON = '/etc/docker/daemon.json';

/** Parses daemon.json; anything but a JSON object is an error and the file is left alone. */
export function parseDaemonJson(text: string | undefined, file: string): DaemonJson {
  // A missing or empty file is what a fresh Docker install has: start from {}.
  if (text === undefined || text.trim() === '') return {};
  let value: unknown;
  try {
    value = parseJsonLossless(text);
  } catch (err) {
    throw new OpenclawError('install', `not valid JSON (${(err as Error).message}); the file was left unchanged`, {
      file,
      fix: 'correct the JSON by hand (dockerd would refuse it too), then run the install again',
    });
  }
  if (!isRecord(value)) {
    throw new OpenclawError('install', 'is not a JSON object; the file was left unchanged', { file, fix: 'daemon.json must hold one JSON object' });
  }
  return value as DaemonJson;
}

export function renderDaemonJson(config: DaemonJson): string {
  return `${stringifyJsonLossless(config, 2)}\n`;
}

/** daemon.json through the one edit path; a dry run prints the bare JSON (so `--dry-run > daemon.json` works). */
function editDaemonJson(file: string, edit: (c: DaemonJson) => EditResult<DaemonJson>, flags: InstallFlags, out: InstallOutput): boolean {
  return editConfigFile({ file, parse: parseDaemonJson, edit, render: renderDaemonJson, dryRun: flags.dryRun, out, unchanged: `${file}: already up to date, nothing written` });
}

function reload(flags: InstallFlags, out: InstallOutput): void {
  const outcome = reloadDockerd(flags.pidfile ?? DEFAULT_DOCKER_PIDFILE);
  if (outcome.reloaded) out.say(`sent SIGHUP to dockerd (pid ${outcome.pid}): it reloads its runtimes now`);
  else out.say(`${outcome.reason}; ${DOCKER_RELOAD_HINT}`);
}

export function installDocker(flags: InstallFlags, out: InstallOutput): number {
  const file = flags.config ?? DEFAULT_DAEMON_JSON;
  const binary = flags.binary ?? shimBinaryPath();
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    out.say(`warning: ${binary} is not an executable file here; dockerd will fail to run containers with it`);
  }
  const wrote = editDaemonJson(file, (c) => addDockerRuntime(c, { name: flags.name, binary, profile: flags.profile, openclawConfig: flags.openclawConfig, setDefault: flags.setDefault }, file), flags, out);
  if (wrote) reload(flags, out);
  if (!flags.dryRun) out.say(`use it with: docker run --runtime=${flags.name} ...`);
  return 0;
}

export function uninstallDocker(flags: InstallFlags, out: InstallOutput): number {
  const file = flags.config ?? DEFAULT_DAEMON_JSON;
  if (readOptional(file) === undefined) {
    out.say(`${file}: does not exist, nothing to remove`);
    return 0;
  }
  if (editDaemonJson(file, (c) => removeDockerRuntime(c, flags.name, file), flags, out)) reload(flags, out);
  return 0;
}

/** What install/engines.ts runs for `install docker` and `uninstall docker`. */
export const engineActions = { install: installDocker, uninstall: uninstallDocker };
