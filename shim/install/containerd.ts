/**
 * `install containerd` / `uninstall containerd`: config.toml I/O (imports resolved, the
 * target file chosen by containerd-config.ts's chooseTarget), backups, atomic writes.
 *
 * @iarna/toml's writer drops comments and reformats; a drop-in file (when `imports` allows
 * one safely) leaves the operator's main file untouched, and every edited file is backed up.
 * containerd reads its config only at start, so it has to be restarted afterwards.
 */
import { readdirSync, unlinkSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import TOML from '@iarna/toml';
import { OpenclawError } from '../errors.js';
import { tomlSyntaxError } from '../util/toml.js';
import { readOptional, writeConfigFile } from './config-files.js';
import {
  addContainerdRuntime,
  chooseTarget,
  configVersion,
  definesCriPlugin,
  dropInPathFor,
  importsOf,
  isEmptyDropIn,
  isGlob,
  removeContainerdRuntime,
  type TomlTable,
} from './containerd-config.js';
import type { InstallFlags } from './flags.js';
import type { InstallOutput } from './output.js';
import { shimBinaryPath } from '../package.js';
import { DEFAULT_LAUNCHER_DIR, writeLauncher, writeSystemdDropIn } from './launcher.js';

export const DEFAULT_CONTAINERD_CONFIG = '/etc/containerd/config.toml';
const RESTART_HINT = 'containerd reads its config only at start: restart it (`systemctl restart containerd`) to apply';

export function parseToml(text: string | undefined, file: string): TomlTable {
  if (text === undefined) return {};
  try {
    return TOML.parse(text) as TomlTable;
  } catch (err) {
    throw new OpenclawError('install', `not valid TOML${tomlSyntaxError(err)}; the file was left unchanged`, {
      file,
      fix: 'correct the TOML by hand (containerd would refuse it too), then run the install again',
    });
  }
}

export function renderToml(t: TomlTable): string {
  return TOML.stringify(t as TOML.JsonMap);
}

/** Go's filepath.Match for one path element, enough for `*.toml` style imports. */
function globToRegExp(glob: string): RegExp {
  let re = '';
  for (const ch of glob) re += ch === '*' ? '[^/]*' : ch === '?' ? '[^/]' : /[\\^$.|+(){}]/.test(ch) ? `\\${ch}` : ch;
  return new RegExp(`^${re}$`);
}

interface ResolvedImports {
  /** Existing files in containerd's order (each glob's matches sorted, as filepath.Glob returns them). */
  files: string[];
  dropInPath?: string;
}

/** containerd resolves relative imports against the main file's directory. */
export function resolveImports(mainFile: string, patterns: readonly string[], name: string): ResolvedImports {
  const files: string[] = [];
  let dropInPath: string | undefined;
  for (const p of patterns) {
    const abs = isAbsolute(p) ? p : join(dirname(mainFile), p);
    if (!isGlob(abs)) {
      if (readOptional(abs) !== undefined && !files.includes(abs)) files.push(abs);
      continue;
    }
    dropInPath ??= dropInPathFor(abs, name);
    const dir = dirname(abs);
    if (isGlob(dir)) continue; // not handled: a glob in the directory part
    let entries: string[] = [];
    try {
      entries = readdirSync(dir).sort();
    } catch {
      /* directory missing: nothing imported yet */
    }
    const re = globToRegExp(basename(abs));
    for (const e of entries) if (re.test(e) && !files.includes(join(dir, e))) files.push(join(dir, e));
  }
  return { files, dropInPath };
}

/** A TOML file through the one edit path (containerd's, Podman's): dry runs print `# FILE` first (a run may print two). */
export function tomlFile(flags: InstallFlags, out: InstallOutput) {
  return { parse: parseToml, render: renderToml, dryRun: flags.dryRun, out, header: true, dropsComments: true };
}

/** The launcher path when the runtime needs one (a profile or config to carry), else undefined. */
export function launcherPathFor(flags: InstallFlags): string | undefined {
  if (flags.profile === undefined && flags.openclawConfig === undefined) return undefined;
  return join(flags.launcherDir ?? DEFAULT_LAUNCHER_DIR, flags.name);
}

export function installContainerd(flags: InstallFlags, out: InstallOutput): number {
  const file = flags.config ?? DEFAULT_CONTAINERD_CONFIG;
  const shim = flags.binary ?? shimBinaryPath();
  const launcher = launcherPathFor(flags);
  if (flags.systemdDropin !== undefined && flags.openclawConfig === undefined) {
    throw new OpenclawError('install', '--systemd-dropin needs --openclaw-config (the config the drop-in names)', { fix: 'add --openclaw-config /etc/openclaw/config.toml (or your path)' });
  }
  if (launcher) writeLauncher({ path: launcher, binary: shim, profile: flags.profile, openclawConfig: flags.openclawConfig, engine: 'containerd' }, flags.dryRun, out);
  if (flags.systemdDropin !== undefined) writeSystemdDropIn(flags.systemdDropin, flags.openclawConfig as string, flags.dryRun, out);
  const binary = launcher ?? shim;
  const mainText = readOptional(file);
  const main = parseToml(mainText, file);
  const version = configVersion(main, file);
  const { files, dropInPath } = resolveImports(file, importsOf(main, file), flags.name);
  const texts = new Map(files.map((f) => [f, readOptional(f)]));
  const imported = files.map((path) => ({ path, definesCri: definesCriPlugin(parseToml(texts.get(path), path), version) }));
  const target = chooseTarget({ version, mainDefinesCri: definesCriPlugin(main, version), imported, dropInPath });
  const targetPath = target.kind === 'main' ? file : target.path;
  const targetText = target.kind === 'main' ? mainText : readOptional(targetPath);
  // A new drop-in states the main file's version, so containerd reads its keys the same way.
  const current = target.kind === 'main' ? main : targetText === undefined ? { version } : parseToml(targetText, targetPath);
  const result = addContainerdRuntime(current, { name: flags.name, binary }, targetPath);
  const why = {
    main: 'the main config',
    imported: 'the imported file that owns the CRI plugin table (containerd < 2.0 lets it replace the whole table)',
    'drop-in': 'a drop-in under the config\'s imports; the main file stays untouched',
  }[target.kind];
  writeConfigFile({
    ...tomlFile(flags, out),
    file: targetPath,
    text: targetText,
    result,
    why,
    unchanged: `${targetPath}: runtime "${flags.name}" already registered, nothing written`,
  });
  if (!result.changed) return 0;
  if (!flags.dryRun) {
    out.say(RESTART_HINT);
    out.say(`use it with: a Kubernetes RuntimeClass with handler "${flags.name}", or ctr run --runc-binary ${binary}`);
  }
  return 0;
}

export function uninstallContainerd(flags: InstallFlags, out: InstallOutput): number {
  const file = flags.config ?? DEFAULT_CONTAINERD_CONFIG;
  const mainText = readOptional(file);
  if (mainText === undefined) {
    out.say(`${file}: does not exist, nothing to remove`);
    return 0;
  }
  const main = parseToml(mainText, file);
  const version = configVersion(main, file);
  const { files } = resolveImports(file, importsOf(main, file), flags.name);
  let removed = 0;
  for (const path of [file, ...files]) {
    const text = path === file ? mainText : readOptional(path);
    const config = path === file ? main : parseToml(text, path);
    // Imported files may omit `version`; read them with the main file's.
    const result = removeContainerdRuntime(config.version === undefined && path !== file ? { ...config, version } : config, flags.name, path);
    if (!result.changed) continue;
    removed++;
    if (config.version === undefined && path !== file) delete result.config.version;
    if (path !== file && basename(path).startsWith('openclaw') && isEmptyDropIn(result.config)) {
      if (flags.dryRun) out.say(`dry run: would remove ${path}`);
      else {
        unlinkSync(path);
        out.say(`${path}: removed (it held only the openclaw runtime)`);
      }
      continue;
    }
    writeConfigFile({ ...tomlFile(flags, out), file: path, text, result });
  }
  if (removed === 0) out.say(`runtime "${flags.name}" is not registered in ${file} or its imports, nothing to remove`);
  else if (!flags.dryRun) out.say(RESTART_HINT);
  removeLauncher(join(flags.launcherDir ?? DEFAULT_LAUNCHER_DIR, flags.name), flags.dryRun, out);
  return 0;
}

/** Removes a launcher we generated (recognised by its header), never another file. */
export function removeLauncher(path: string, dryRun: boolean, out: InstallOutput): void {
  const text = readOptional(path);
  if (text === undefined || !text.includes('# Generated by `openclaw-runtime install')) return;
  if (dryRun) out.say(`dry run: would remove ${path}`);
  else {
    unlinkSync(path);
    out.say(`${path}: removed (launcher)`);
  }
}

/** What install/engines.ts runs for `install containerd` and `uninstall containerd`. */
export const engineActions = { install: installContainerd, uninstall: uninstallContainerd };
