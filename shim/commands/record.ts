/**
 * `openclaw-runtime record`: runs a job once under the recording filter (record/filter.ts)
 * with a recorder of its own (record/recorder.ts) and writes the profile that runs it
 * (record/aggregate.ts, record/emit.ts), checked by the same schema and compiler as
 * `validate`. Root only. Its working directory, <state.dir>/record/<id>/ (0700, made through
 * host/safe-path.ts), holds the socket, the bundle it ran and the records (records.jsonl,
 * one line per distinct call with its count), which stay there for review.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseCommandArgs } from '../cli/command-args.js';
import { loadConfig } from '../config/load.js';
import { findRuntime } from '../config/runtime-path.js';
import { OpenclawError } from '../errors.js';
import { ensureDir } from '../host/safe-path.js';
import { ProfileSchema } from '../profile/schema.js';
import { compileSyscallFilter } from '../seccomp/compile.js';
import { nativeScmpArch } from '../seccomp/vocabulary.js';
import { aggregate, type MountFact } from '../record/aggregate.js';
import { prepareBundle, type BundleSource } from '../record/bundle.js';
import { exportDockerContainer } from '../record/docker.js';
import { emitProfile } from '../record/emit.js';
import { Recorder } from '../record/recorder.js';
import { runInherited } from '../util/child-process.js';
import { RECORD_SPEC } from './specs.js';
import type { CommandHandler } from './types.js';

const NAME_RE = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/;

export const recordCommand: CommandHandler = async ({ argv, env }) => {
  const parsed = parseCommandArgs(RECORD_SPEC, argv.commandArgs);
  if (parsed.help) {
    process.stdout.write(parsed.text);
    return 0;
  }
  const { values, positionals } = parsed;
  const fix = 'openclaw-runtime record --help';
  if (process.getuid?.() !== 0) throw new OpenclawError('cli', 'record runs a container and reads its memory: it needs root', { fix: 'run it as root (sudo)' });
  const name = values.name ?? 'recorded';
  if (!NAME_RE.test(name)) throw new OpenclawError('cli', `record: --name "${name}" is not a lower-case DNS-style name`, { fix: 'e.g. --name my-job' });
  const { config } = await loadConfig(argv.shim.openclawConfig, env);
  const runtime = findRuntime(values.runtime ? [values.runtime] : config.runtime.candidates, env);
  const arch = nativeScmpArch();

  const id = `record-${name}-${process.pid}`;
  const dir = join(config.state.dir, 'record', id);
  ensureDir(dir, { mode: 0o700, parentMode: 0o711, field: 'state.dir', fix: 'set [state] dir in the openclaw config to a directory only root may write' });
  const socket = join(dir, 'recorder.sock');
  let source: BundleSource = { ...(values.bundle ? { bundle: values.bundle } : {}), ...(values.image ? { image: values.image } : {}), ...(values.rootfs ? { rootfs: values.rootfs } : {}), command: positionals, binds: values.bind ?? [] };
  const engineNotes: string[] = [];
  if (values.engine !== undefined) {
    if (values.engine !== 'docker') throw new OpenclawError('cli', `record: --engine ${values.engine} is not supported`, { fix: 'use --engine docker, or record the image with --image' });
    if (values.bundle || values.image || values.rootfs || positionals.length !== 1) throw new OpenclawError('cli', 'record: --engine docker takes one container name or id, and no --bundle, --image or --rootfs', { fix: 'openclaw-runtime record --engine docker --out FILE CONTAINER' });
    const job = await exportDockerContainer(positionals[0] as string, dir, { ...(values['docker-host'] ? { host: values['docker-host'] } : {}) });
    engineNotes.push(...job.notes);
    source = { image: job.tar, command: job.command, binds: [...job.binds, ...(values.bind ?? [])], env: job.env, cwd: job.cwd, user: job.user };
  }
  const bundle = await prepareBundle(source, dir, { runtime, listenerPath: socket, arch });
  if (values.engine !== undefined) rmSync(join(dir, 'image.tar'), { force: true });
  const log = (msg: string) => process.stderr.write(`record: ${msg}\n`);
  const recorder = new Recorder(socket, log);
  recorder.start();
  let status: number;
  try {
    status = await runContainer(runtime, join(dir, 'runc'), bundle.dir, id, values.out !== undefined);
  } finally {
    recorder.stop();
    if (source.image !== undefined) rmSync(join(dir, 'rootfs'), { recursive: true, force: true });
  }
  const records = recorder.records();
  writeFileSync(join(dir, 'records.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n', { mode: 0o600 });

  if (!records.some((r) => r.entrypoint)) {
    throw new OpenclawError('runtime', `the job never started (${runtime.split('/').pop()} exit status ${status}, ${recorder.listenersServed} seccomp listener${recorder.listenersServed === 1 ? '' : 's'} handed over): nothing was recorded and no profile written`, {
      file: join(bundle.dir, 'config.json'),
      fix: `run that bundle with ${runtime} directly to see why it does not start`,
    });
  }
  const mounts: MountFact[] = (bundle.config.mounts ?? []).map((m) => ({ destination: m.destination, ...(m.type ? { type: m.type } : {}), ...(m.source ? { source: m.source } : {}), ...(m.options ? { options: m.options } : {}) }));
  const result = aggregate({ name, records, mounts, command: bundle.config.process?.args ?? [], runtime: runtime.split('/').pop() ?? runtime, arch, ...(bundle.config.process?.user ? { user: { uid: bundle.config.process.user.uid, gid: bundle.config.process.user.gid } } : {}) });
  const yaml = emitProfile(result);
  checkProfile(yaml, values.out ?? '<stdout>');
  if (values.out) writeFileSync(values.out, yaml, { mode: 0o644 });
  else process.stdout.write(yaml);

  const workload = records.filter((r) => r.phase === 'workload').reduce((n, r) => n + r.count, 0);
  log(`${recorder.notifications} calls recorded (${workload} by the workload), job exit status ${status}; records in ${join(dir, 'records.jsonl')}`);
  for (const n of [...engineNotes, ...result.notes]) log(n);
  if (values.out) log(`wrote ${values.out}; next: openclaw-runtime lint ${values.out}`);
  if (status !== 0) {
    log(`the job failed (exit status ${status}): the profile holds what it did until then (fix: ${fix})`);
    return 1;
  }
  return 0;
};

/** Runs the container to its end (signals forwarded); the job's stdout goes to ours only when the profile goes to a file. */
async function runContainer(runtime: string, root: string, bundleDir: string, id: string, jobStdout: boolean): Promise<number> {
  const r = await runInherited(runtime, ['--root', root, 'run', '--bundle', bundleDir, id], [], ['inherit', jobStdout ? 'inherit' : 2, 'inherit']);
  return r.exitCode ?? 128;
}

/** The emitted YAML must be a profile `validate` accepts: a recorder bug is ours, not the user's. */
function checkProfile(yaml: string, where: string): void {
  const r = ProfileSchema.safeParse(parse(yaml));
  if (!r.success) throw new OpenclawError('profile', `record produced an invalid profile (${r.error.issues[0]?.path.join('.')}: ${r.error.issues[0]?.message})`, { file: where, fix: 'report this as a bug, with records.jsonl' });
  const filter = r.data.spec.isolation.syscallFilter;
  if (filter) compileSyscallFilter(filter, { profileFile: where, fieldBase: 'spec.isolation.syscallFilter', agent: { listenerPath: '/dev/null', listenerMetadata: '{}' } });
}
