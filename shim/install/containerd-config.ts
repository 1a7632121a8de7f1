/**
 * Pure edits of containerd's config.toml (parsed TOML object in, object out), and the pure
 * choice of which file to edit. File reading, globbing and writing live in containerd.ts.
 *
 * containerd runs a CRI runtime through its runc v2 shim; `options.BinaryName` makes that
 * shim call us instead of runc (exactly like runc, so every non-create command passes
 * through). `pod_annotations` lets Kubernetes pod annotations named org.openclaw.* reach the
 * containers' config.json, where the shim reads org.openclaw.profile.
 *
 * Seen with containerd 1.6.20 here (`containerd -c F config dump`): an imported file that
 * mentions plugins."io.containerd.grpc.v1.cri" REPLACES that whole plugin table from the main
 * file (containerd issue #5837; merged key by key only from containerd 2.0, config version 3,
 * PR #9982). So for versions 1 and 2 a drop-in is safe only when no other file defines the
 * CRI plugin; otherwise we edit the file that owns it.
 *
 * NOTE when containerd adds a config version also update CRI_RUNTIMES_PATH and
 * IMPORTS_MERGE_PLUGINS_DEEPLY.
 */
import { OpenclawError } from '../errors.js';
import { deepClone, isRecord, jsonEqual } from '../util/json.js';
import type { EditResult } from './config-files.js';

export type TomlTable = Record<string, unknown>;

/** Where each config version keeps the CRI runtimes table. */
export const CRI_RUNTIMES_PATH: Record<number, readonly string[]> = {
  1: ['plugins', 'cri', 'containerd', 'runtimes'],
  2: ['plugins', 'io.containerd.grpc.v1.cri', 'containerd', 'runtimes'],
  3: ['plugins', 'io.containerd.cri.v1.runtime', 'containerd', 'runtimes'],
};

/** Whether `imports` merge a plugin's table key by key (true) or replace it whole (false). */
export const IMPORTS_MERGE_PLUGINS_DEEPLY: Record<number, boolean> = { 1: false, 2: false, 3: true };

/** The version a new (empty) config gets: what containerd 1.6/1.7 (Debian 12) read natively. */
export const NEW_CONFIG_VERSION = 2;

/** Annotation prefixes containerd's CRI passes from the pod to the OCI spec. */
export const POD_ANNOTATIONS: readonly string[] = ['org.openclaw.*'];

export const RUNC_V2_RUNTIME_TYPE = 'io.containerd.runc.v2';

export interface ContainerdRuntimeOptions {
  name: string;
  /** Absolute path of bin/openclaw-runtime. */
  binary: string;
}

/**
 * The config's version. containerd treats a file without `version` as version 1; an empty
 * (or missing) file gets NEW_CONFIG_VERSION because we are about to write it.
 */
export function configVersion(config: TomlTable, file: string): number {
  const v = config.version;
  if (v === undefined) return Object.keys(config).length === 0 ? NEW_CONFIG_VERSION : 1;
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (typeof n !== 'number' || CRI_RUNTIMES_PATH[n] === undefined) {
    throw new OpenclawError('install', `unsupported containerd config version ${JSON.stringify(String(v))}`, {
      file,
      field: 'version',
      fix: `use version ${Object.keys(CRI_RUNTIMES_PATH).join(', ')} (containerd config migrate), or register the runtime by hand`,
    });
  }
  return n;
}

/** A TOML table: an object that is not an array and not a TOML date (@iarna/toml gives dates as Date). */
export function isTomlTable(v: unknown): v is TomlTable {
  return isRecord(v) && !(v instanceof Date);
}

/** Walks (and with create, makes) nested tables; throws naming the field when one is not a table. */
function tableAt(root: TomlTable, path: readonly string[], file: string, create: boolean): TomlTable | undefined {
  let cur = root;
  const seen: string[] = [];
  for (const key of path) {
    seen.push(key);
    let next = cur[key];
    if (next === undefined) {
      if (!create) return undefined;
      next = {};
      cur[key] = next;
    }
    if (!isTomlTable(next)) {
      throw new OpenclawError('install', 'must be a table', { file, field: dotted(seen), fix: 'correct the config by hand, then run the install again' });
    }
    cur = next;
  }
  return cur;
}

/** TOML-style dotted key: parts with dots are quoted, as containerd's docs write them. */
export function dotted(path: readonly string[]): string {
  return path.map((p) => (/^[A-Za-z0-9_-]+$/.test(p) ? p : JSON.stringify(p))).join('.');
}

/** Whether this file sets anything in the CRI plugin's table (and so, before 2.0, owns all of it). */
export function definesCriPlugin(config: TomlTable, version: number): boolean {
  const pluginPath = (CRI_RUNTIMES_PATH[version] ?? []).slice(0, 2);
  const plugins = config[pluginPath[0] as string];
  return isTomlTable(plugins) && plugins[pluginPath[1] as string] !== undefined;
}

export function hasContainerdRuntime(config: TomlTable, version: number, name: string): boolean {
  const path = CRI_RUNTIMES_PATH[version] ?? [];
  let cur: unknown = config;
  for (const k of path) cur = isTomlTable(cur) ? cur[k] : undefined;
  return isTomlTable(cur) && cur[name] !== undefined;
}

export function addContainerdRuntime(input: TomlTable, o: ContainerdRuntimeOptions, file = 'config.toml'): EditResult<TomlTable> {
  if (!o.binary.startsWith('/')) {
    throw new OpenclawError('install', `runtime path "${o.binary}" is not absolute`, { fix: 'pass --binary with an absolute path' });
  }
  const config = deepClone(input);
  const version = configVersion(config, file);
  const notes: string[] = [];
  if (config.version === undefined && version === NEW_CONFIG_VERSION && Object.keys(config).length === 0) {
    config.version = NEW_CONFIG_VERSION;
  }
  const path = CRI_RUNTIMES_PATH[version] as readonly string[];
  const runtimes = tableAt(config, path, file, true) as TomlTable;
  const before = runtimes[o.name];
  if (before !== undefined && !isTomlTable(before)) {
    throw new OpenclawError('install', 'must be a table', { file, field: dotted([...path, o.name]), fix: 'remove the key by hand, then run the install again' });
  }
  // Keep whatever else an operator put in the entry (e.g. options.SystemdCgroup); own only these keys.
  const entry: TomlTable = before ? deepClone(before) : {};
  entry.runtime_type = RUNC_V2_RUNTIME_TYPE;
  const annotations = Array.isArray(entry.pod_annotations) ? [...(entry.pod_annotations as unknown[])] : [];
  for (const a of POD_ANNOTATIONS) if (!annotations.includes(a)) annotations.push(a);
  entry.pod_annotations = annotations;
  const options = isTomlTable(entry.options) ? entry.options : {};
  options.BinaryName = o.binary;
  // A new entry follows runc's cgroup driver, which must match the kubelet's.
  const runcOptions = (runtimes.runc as TomlTable | undefined)?.options;
  if (!before && isTomlTable(runcOptions) && runcOptions.SystemdCgroup !== undefined) options.SystemdCgroup = runcOptions.SystemdCgroup;
  entry.options = options;
  if (!jsonEqual(before, entry)) {
    runtimes[o.name] = entry;
    notes.push(`${dotted([...path, o.name])}: ${before ? 'updated' : 'added'}`);
  }
  return { config, changed: notes.length > 0 || !jsonEqual(input, config), notes };
}

export function removeContainerdRuntime(input: TomlTable, name: string, file = 'config.toml'): EditResult<TomlTable> {
  const config = deepClone(input);
  const version = configVersion(config, file);
  const path = CRI_RUNTIMES_PATH[version] as readonly string[];
  const runtimes = tableAt(config, path, file, false);
  if (!runtimes || runtimes[name] === undefined) return { config, changed: false, notes: [] };
  delete runtimes[name];
  pruneEmpty(config, path);
  return { config, changed: true, notes: [`${dotted([...path, name])}: removed`] };
}

/** Removes the tables along path that the removal left empty (deepest first). */
function pruneEmpty(root: TomlTable, path: readonly string[]): void {
  for (let depth = path.length; depth > 0; depth--) {
    const parent = depth === 1 ? root : (tableAt(root, path.slice(0, depth - 1), '', false) as TomlTable | undefined);
    const key = path[depth - 1] as string;
    const t = parent?.[key];
    if (parent && isTomlTable(t) && Object.keys(t).length === 0) delete parent[key];
    else return;
  }
}

/** True when a drop-in holds nothing but its version line (delete the file rather than keep it). */
export function isEmptyDropIn(config: TomlTable): boolean {
  return Object.keys(config).every((k) => k === 'version');
}

export type Target =
  | { kind: 'main' }
  | { kind: 'imported'; path: string }
  | { kind: 'drop-in'; path: string };

export interface TargetFacts {
  version: number;
  /** Whether the main file sets anything in the CRI plugin table. */
  mainDefinesCri: boolean;
  /** The files `imports` names that exist, in containerd's order, with whether each defines the CRI plugin. */
  imported: ReadonlyArray<{ path: string; definesCri: boolean }>;
  /** The drop-in path derived from the first glob in `imports`, if there is one. */
  dropInPath?: string;
}

/**
 * Which file gets the runtime. Before containerd 2.0 the last file (imports after the main
 * file) that defines the CRI plugin wins whole, so the runtime must go in that file; a new
 * drop-in is used only when nothing defines the plugin yet. From 2.0 a drop-in always merges.
 */
export function chooseTarget(f: TargetFacts): Target {
  if (IMPORTS_MERGE_PLUGINS_DEEPLY[f.version]) return f.dropInPath ? { kind: 'drop-in', path: f.dropInPath } : { kind: 'main' };
  const owners = f.imported.filter((i) => i.definesCri);
  const lastOwner = owners[owners.length - 1];
  if (lastOwner) return lastOwner.path === f.dropInPath ? { kind: 'drop-in', path: lastOwner.path } : { kind: 'imported', path: lastOwner.path };
  if (f.mainDefinesCri) return { kind: 'main' };
  return f.dropInPath ? { kind: 'drop-in', path: f.dropInPath } : { kind: 'main' };
}

/**
 * The drop-in file for a glob import such as /etc/containerd/conf.d/*.toml: the first `*` in
 * the file-name part becomes NAME (prefixed openclaw- unless it starts so). Undefined when the pattern's directory part is
 * itself a glob or the name part has other glob syntax (we would not know the file matches).
 */
export function dropInPathFor(pattern: string, name: string): string | undefined {
  const slash = pattern.lastIndexOf('/');
  const dir = pattern.slice(0, slash + 1);
  const base = pattern.slice(slash + 1);
  if (/[*?[\\]/.test(dir) || /[?[\\]/.test(base) || !base.includes('*')) return undefined;
  const stem = name.startsWith('openclaw') ? name : `openclaw-${name}`;
  return dir + base.replace('*', stem).replaceAll('*', '');
}

export function isGlob(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

/** `imports` as a list of strings (containerd's own type). */
export function importsOf(config: TomlTable, file: string): string[] {
  const v = config.imports;
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
    throw new OpenclawError('install', 'must be a list of file paths or globs', { file, field: 'imports', fix: 'correct the list by hand' });
  }
  return v as string[];
}
