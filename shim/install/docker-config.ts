/**
 * Pure edits of Docker's daemon.json (object in, object out): register or remove an
 * openclaw runtime. Every key the edit does not own is kept as it was, in its order.
 *
 * Docker calls a runtime as `PATH RUNTIMEARGS... --root ... create ...` (FIELD-NOTES), so the
 * profile travels as runtimeArgs and one daemon can carry one runtime per profile
 * (`openclaw`, `openclaw-backend`, ...). dockerd reloads `runtimes` and `default-runtime` on
 * SIGHUP, so no restart is needed.
 */
import { OpenclawError } from '../errors.js';
import { deepClone, jsonEqual } from '../util/json.js';
import type { EditResult } from './config-files.js';

export interface DockerRuntimeOptions {
  /** Runtime name in daemon.json (what `docker run --runtime=NAME` uses). */
  name: string;
  /** Absolute path of bin/openclaw-runtime. */
  binary: string;
  /** Profile passed as `--profile P` in runtimeArgs; none means the openclaw config's default. */
  profile?: string;
  /** openclaw config file passed as `--openclaw-config PATH` in runtimeArgs. */
  openclawConfig?: string;
  /** Also make it the daemon's default-runtime. */
  setDefault?: boolean;
}

export type DaemonJson = Record<string, unknown>;

/** The runtime entry exactly as Docker wants it. */
export function dockerRuntimeEntry(o: DockerRuntimeOptions): Record<string, unknown> {
  const runtimeArgs: string[] = [];
  if (o.openclawConfig) runtimeArgs.push('--openclaw-config', o.openclawConfig);
  if (o.profile) runtimeArgs.push('--profile', o.profile);
  return runtimeArgs.length > 0 ? { path: o.binary, runtimeArgs } : { path: o.binary };
}

function assertObject(value: unknown, file: string, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new OpenclawError('install', 'must be a JSON object', { file, field, fix: `correct ${field} in the file by hand, then run the install again` });
  }
  return value as Record<string, unknown>;
}

export function addDockerRuntime(input: DaemonJson, o: DockerRuntimeOptions, file = 'daemon.json'): EditResult<DaemonJson> {
  if (!o.binary.startsWith('/')) {
    throw new OpenclawError('install', `runtime path "${o.binary}" is not absolute`, { fix: 'pass --binary with an absolute path' });
  }
  // Docker reserves these names; it refuses to start with a runtime called so.
  if (RESERVED_DOCKER_RUNTIME_NAMES.includes(o.name)) {
    throw new OpenclawError('install', `"${o.name}" is a runtime name Docker reserves`, { fix: 'choose another --name, e.g. openclaw' });
  }
  const config = deepClone(assertObject(input, file, '(top level)'));
  const notes: string[] = [];
  const runtimes = config.runtimes === undefined ? {} : assertObject(config.runtimes, file, 'runtimes');
  const entry = dockerRuntimeEntry(o);
  const before = runtimes[o.name];
  if (!jsonEqual(before, entry)) {
    notes.push(before === undefined ? `runtimes.${o.name}: added` : `runtimes.${o.name}: replaced`);
    runtimes[o.name] = entry;
  }
  config.runtimes = runtimes;
  if (o.setDefault && config['default-runtime'] !== o.name) {
    notes.push(`default-runtime: ${JSON.stringify(config['default-runtime'] ?? 'runc')} -> "${o.name}"`);
    config['default-runtime'] = o.name;
  }
  return { config, changed: notes.length > 0, notes };
}

export function removeDockerRuntime(input: DaemonJson, name: string, file = 'daemon.json'): EditResult<DaemonJson> {
  const config = deepClone(assertObject(input, file, '(top level)'));
  const notes: string[] = [];
  if (config.runtimes !== undefined) {
    const runtimes = assertObject(config.runtimes, file, 'runtimes');
    if (name in runtimes) {
      delete runtimes[name];
      notes.push(`runtimes.${name}: removed`);
      if (Object.keys(runtimes).length === 0) delete config.runtimes;
    }
  }
  // A default that names a runtime that no longer exists stops dockerd from starting.
  if (config['default-runtime'] === name) {
    delete config['default-runtime'];
    notes.push(`default-runtime: "${name}" removed (Docker falls back to runc)`);
  }
  return { config, changed: notes.length > 0, notes };
}

/** Names dockerd keeps for itself (daemon/runtime_unix.go: runc, and the containerd shims). */
export const RESERVED_DOCKER_RUNTIME_NAMES: readonly string[] = ['runc', 'io.containerd.runc.v1', 'io.containerd.runc.v2', 'io.containerd.runtime.v1.linux'];
