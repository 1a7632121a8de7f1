/**
 * The bundle a recording runs: a config.json of its own in the recording's root-only
 * directory, never the caller's (their bundle is only read). From `--bundle DIR` (its
 * config.json, root.path made absolute) or from `--image TAR` (unpacked here, writable: the
 * job's writes are what we record) / `--rootfs DIR` (used read-only: it is the caller's tree)
 * with `runc spec`'s defaults. Then: the command after `--` (if any) as process.args, binds
 * from `--bind`, noNewPrivileges (as every shim container has it: runc then loads the filter
 * last, right before the exec), no terminal, and the recording filter (filter.ts).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, posix, resolve } from 'node:path';
import { SENSITIVE_SOURCES } from '../merge/filesystem.js';
import { OpenclawError } from '../errors.js';
import type { Spec, SpecMount } from '../oci/types.js';
import { runCaptured } from '../util/child-process.js';
import { recordingSeccomp } from './filter.js';

export interface BundleSource {
  bundle?: string;
  image?: string;
  rootfs?: string;
  command: readonly string[];
  /** HOST:CONTAINER[:ro|rw] */
  binds: readonly string[];
  /** The process as an engine defines it (record --engine docker); default: the bundle's or runc spec's. */
  env?: readonly string[];
  cwd?: string;
  user?: { uid: number; gid: number };
}

export interface RecordingBundle {
  dir: string;
  config: Spec;
}

/** `HOST:CONTAINER[:ro|rw]` -> an OCI bind mount (read-only unless rw). */
export function parseBind(text: string): SpecMount {
  const parts = text.split(':');
  const [src, dst, mode = 'ro'] = parts;
  if (parts.length > 3 || !src || !dst || !isAbsolute(src) || !isAbsolute(dst) || (mode !== 'ro' && mode !== 'rw')) {
    throw new OpenclawError('cli', `record: --bind "${text}" is not HOST:CONTAINER[:ro|rw] with absolute paths`, { fix: 'e.g. --bind /srv/job/input:/input:ro --bind /srv/job/output:/output:rw' });
  }
  const real = posix.normalize(src);
  const sensitive = SENSITIVE_SOURCES.find((s) => real === s || real.startsWith(`${s}/`));
  if (sensitive !== undefined) {
    // No profile may bind these (merge/filesystem.ts): a recording of a job that needs them could never run.
    throw new OpenclawError('cli', `record: bind ${text} exposes ${sensitive}, which no profile may bind`, { fix: 'bind a directory of the job\'s own instead (e.g. under /srv or /var/lib)' });
  }
  return { destination: dst, type: 'bind', source: src, options: ['rbind', mode === 'rw' ? 'rw' : 'ro', 'nosuid', 'nodev'] };
}

async function specTemplate(dir: string, runtime: string): Promise<Spec> {
  const r = await runCaptured(runtime, ['spec', '--bundle', dir]);
  if (r.exitCode !== 0) throw new OpenclawError('runtime', `${runtime} spec failed: ${r.stderr.toString('utf8').trim()}`, { file: runtime, fix: 'give a runtime that writes a template config.json (runc spec, crun spec)' });
  return JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Spec;
}

/** Writes the recording bundle into `dir` (root-only, made by the caller). */
export async function prepareBundle(src: BundleSource, dir: string, opts: { runtime: string; listenerPath: string; arch?: string }): Promise<RecordingBundle> {
  const given = [src.bundle, src.image, src.rootfs].filter((x) => x !== undefined).length;
  if (given !== 1) throw new OpenclawError('cli', 'record: give exactly one of --bundle DIR, --image TAR and --rootfs DIR', { fix: 'openclaw-runtime record --bundle DIR --out FILE, or record --image TAR --out FILE -- CMD...' });
  let config: Spec;
  if (src.bundle !== undefined) {
    const file = join(resolve(src.bundle), 'config.json');
    try {
      config = JSON.parse(readFileSync(file, 'utf8')) as Spec;
    } catch (e) {
      throw new OpenclawError('cli', `record: cannot read ${file}: ${(e as Error).message}`, { file, fix: 'give a bundle directory that holds config.json (runc spec makes one)' });
    }
    const rootPath = config.root?.path ?? 'rootfs';
    config.root = { ...config.root, path: resolve(src.bundle, rootPath) };
  } else {
    // runc spec writes config.json into dir, which this function replaces below.
    config = await specTemplate(dir, opts.runtime);
    if (src.image !== undefined) {
      const rootfs = join(dir, 'rootfs');
      mkdirSync(rootfs, { mode: 0o755 });
      const r = await runCaptured('tar', ['-xf', resolve(src.image), '-C', rootfs, '--numeric-owner']);
      if (r.exitCode !== 0) {
        throw new OpenclawError('cli', `record: cannot unpack ${src.image}: ${r.stderr.toString('utf8').trim()}`, { file: src.image, fix: 'give a tar of a root file system (docker export, scripts/build-python-image.sh)' });
      }
      config.root = { path: rootfs, readonly: false };
    } else {
      config.root = { path: resolve(src.rootfs!), readonly: true };
    }
  }
  if (src.command.length > 0) config.process = { ...config.process, args: [...src.command] } as Spec['process'];
  if (!config.process?.args?.length) throw new OpenclawError('cli', 'record: no command to run', { fix: 'give the command after --, or a bundle whose process.args names it' });
  config.process = { ...config.process!, terminal: false, noNewPrivileges: true };
  if (src.env) config.process.env = [...src.env];
  if (src.cwd) config.process.cwd = src.cwd;
  if (src.user) config.process.user = { uid: src.user.uid, gid: src.user.gid };
  config.mounts = [...(config.mounts ?? []), ...src.binds.map(parseBind)];
  config.linux = { ...config.linux, seccomp: recordingSeccomp({ listenerPath: opts.listenerPath, ...(opts.arch ? { arch: opts.arch } : {}) }) };
  writeFileSync(join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  return { dir, config };
}
