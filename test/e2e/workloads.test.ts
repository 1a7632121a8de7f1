/**
 * Real workloads: the workload matrix (workloads/matrix.ts, rendered in docs/workloads.md) run
 * cell by cell through a private dockerd, each cell its own `docker run --rm --network none`
 * of the Debian python image (test/helpers/python-image.ts), under every shipped profile and the
 * widened ones, on runc and on crun (one openclaw config per low-level runtime, `[runtime]
 * candidates`, registered as runtimes `openclaw-<profile>-<runc|crun>`).
 *
 * The daemons run in their own mount namespace with /sys/fs/cgroup/unified hidden: crun 1.8.1
 * refuses this machine's hybrid cgroup layout otherwise (FIELD-NOTES); runc does not care.
 * Skips, with the reason printed, when the image cannot be built (no mmdebstrap, no apt
 * source, mirror unreachable) or the daemons cannot run here.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse, stringify } from 'yaml';
import { addDockerRuntime } from '../../shim/install/docker-config.js';
import { stopAgent } from '../helpers/agent.js';
import { missingPrerequisite, REPO, SHIM_BIN, startEngines, type Dockerd, type Engines } from '../helpers/daemons.js';
import { importIntoContainerd, importIntoDocker, prepareWorkloadImage, PYTHON_IMAGE, PYTHON_IMAGE_CONTAINERD, writeJobInput } from '../helpers/python-image.js';
import { ADMIN_BINDS, JOBS, RUNTIMES, SHIPPED, WIDENED, cellOf, type Cell, type Job } from './workloads/matrix.js';

// Two cells at a time: each is mostly waiting on container start-up.
vi.setConfig({ maxConcurrency: 2 });

const skip = missingPrerequisite();
const work = skip ? undefined : mkdtempSync(`/tmp/oc-wl-${process.pid}-`);
const prepared = work ? await prepareWorkloadImage(work) : undefined;
const image = prepared?.ok ? prepared.image : undefined;
const imageSkip = skip ?? (prepared && !prepared.ok ? prepared.reason : undefined);
if (imageSkip) console.log(`[e2e workloads] skipped: ${imageSkip}`);
else if (image) console.log(`[e2e workloads] image: ${image.log.split('\n').filter((l) => l.startsWith('build-python-image.sh')).join('; ')}`);
const crunSkip = missingPrerequisite(['crun']);
if (!imageSkip && crunSkip) console.log(`[e2e workloads] crun cells skipped: ${crunSkip}`);
if (!image && work) rmSync(work, { recursive: true, force: true });

const runtimeName = (profile: string, rt: string) => `openclaw-${profile}-${rt}`;

let engines: Engines | undefined;
let docker: Dockerd['docker'];
let configs: Record<string, string>;
let base: string;
let agentSocket: string;
const ioDir = () => join(base, 'io');
/** The admin-listed sources ([[binds.allowed]]): the job's input, and the root of per-job output directories. */
const adminInput = () => join(ioDir(), 'admin-input');
const adminOutputs = () => join(ioDir(), 'admin-outputs');
/** Files this suite put into a shipped profile's shared bind sources, removed afterwards. */
const placed: string[] = [];

/** The host directory a shipped profile binds at `destination` (profiles/NAME.yaml). */
function shippedBindSource(profile: string, destination: string): string | undefined {
  const doc = parse(readFileSync(join(REPO, 'profiles', `${profile}.yaml`), 'utf8')) as { spec: { filesystem?: { allowedBindMounts?: Array<{ source: string; destination: string }> } } };
  return doc.spec.filesystem?.allowedBindMounts?.find((b) => b.destination === destination)?.source;
}

function writeConfigs(): Record<string, string> {
  base = join(work!, 'openclaw');
  const profilesDir = join(base, 'profiles');
  mkdirSync(profilesDir, { recursive: true });
  // The state dir (rootfs binds for user-namespaced profiles) must be reachable by the mapped ids.
  chmodSync(work!, 0o711);
  chmodSync(base, 0o711);
  agentSocket = join(base, 'agent', 'agent.sock');
  const configs: Record<string, string> = {};
  for (const rt of RUNTIMES) {
    configs[rt] = join(base, `config-${rt}.toml`);
    writeFileSync(
      configs[rt],
      [
        '[runtime]',
        `candidates = ["${rt}"]`,
        '[profiles]',
        `directories = ["${profilesDir}"]`,
        '[state]',
        `dir = "${base}/state"`,
        '[jobs]',
        `dir = "${base}/jobs"`,
        '[agent]',
        `socket = "${agentSocket}"`,
        `denial_log = "${base}/denials.log"`,
        '[log]',
        `file = "${base}/shim.log"`,
        // The admin's bind allow-list (ADMIN_BINDS): the job's input read-only, one output directory per job below a root.
        ...ADMIN_BINDS.flatMap((a) => [
          '[[binds.allowed]]',
          `source = "${adminInput()}"`,
          'readonly = true',
          `profiles = ["${a.profile}"]`,
          '[[binds.allowed]]',
          `source = "${adminOutputs()}"`,
          'subdirectories = true',
          'readonly = false',
          `profiles = ["${a.profile}"]`,
        ]),
        '',
      ].join('\n'),
    );
  }
  // Widened profiles: a shipped profile's YAML, renamed, with the input/output binds added.
  const input = join(ioDir(), 'input');
  const output = join(ioDir(), 'output');
  writeJobInput(input);
  mkdirSync(output, { recursive: true });
  chmodSync(ioDir(), 0o711);
  chmodSync(input, 0o755);
  chmodSync(output, 0o777); // written by the container's root, mapped or not
  writeJobInput(adminInput());
  chmodSync(adminInput(), 0o755);
  mkdirSync(adminOutputs(), { recursive: true, mode: 0o755 });
  for (const w of WIDENED) {
    const doc = parse(readFileSync(join(REPO, 'profiles', `${w.base}.yaml`), 'utf8')) as Record<string, any>;
    doc.metadata.name = w.name;
    doc.metadata.description = `${w.base}, widened: ${w.change}`;
    doc.spec.filesystem = {
      ...doc.spec.filesystem,
      allowedBindMounts: [
        { source: input, destination: '/input', readonly: true },
        { source: output, destination: '/output', readonly: false },
      ],
    };
    writeFileSync(join(profilesDir, `${w.name}.yaml`), stringify(doc));
  }
  // smythos-alternative binds its own (today shared) /input source: the job's CSV goes there.
  for (const p of SHIPPED) {
    const src = shippedBindSource(p.profile, '/input');
    // A per-container source (a template, not a plain path) cannot be filled in from here.
    if (!src || /[{}$%]/.test(src)) continue;
    mkdirSync(src, { recursive: true });
    if (!existsSync(join(src, 'data.csv'))) placed.push(join(src, 'data.csv'));
    writeJobInput(src);
  }
  return configs;
}

function daemonJson(configs: Record<string, string>): Record<string, unknown> {
  let config: Record<string, unknown> = {};
  for (const rt of RUNTIMES) {
    for (const profile of [...SHIPPED.map((p) => p.profile), ...WIDENED.map((w) => w.name)]) {
      config = addDockerRuntime(config, { name: runtimeName(profile, rt), binary: SHIM_BIN, profile, openclawConfig: configs[rt]! }).config;
    }
  }
  return config;
}

/** Whether `profile` gives each container its own `destination` (a perContainer bind under [jobs] dir). */
function perContainerBind(profile: string, destination: string): boolean {
  const file = [join(base, 'profiles', `${profile}.yaml`), join(REPO, 'profiles', `${profile}.yaml`)].find((f) => existsSync(f))!;
  const doc = parse(readFileSync(file, 'utf8')) as { spec: { filesystem?: { allowedBindMounts?: Array<{ perContainer?: string; destination: string }> } } };
  return (doc.spec.filesystem?.allowedBindMounts ?? []).some((b) => b.destination === destination && b.perContainer !== undefined);
}

/**
 * A job whose /input is the container's own directory, as a platform runs it: create the
 * container, fill <jobs.dir>/<id>/input, start it, then collect <jobs.dir>/<id>/output after
 * the container is gone (the output outlives the job).
 */
async function runPerContainerJob(runtime: string, job: Job): Promise<{ exitCode: number; stdout: string; stderr: string; collected?: string }> {
  const created = await docker(['create', '--network', 'none', '--runtime', runtime, '-w', '/opt', PYTHON_IMAGE, ...job.argv], { timeout: 60_000 });
  expect(created.exitCode, created.stderr).toBe(0);
  const id = created.stdout.trim();
  const input = join(base, 'jobs', id, 'input');
  mkdirSync(input, { recursive: true, mode: 0o755 });
  writeJobInput(input);
  const r = await docker(['start', '-a', id], { timeout: 110_000 });
  await docker(['rm', '-f', id], { timeout: 60_000 });
  const result = join(base, 'jobs', id, 'output', 'result.json');
  return { ...r, collected: existsSync(result) ? readFileSync(result, 'utf8') : undefined };
}

async function runCell(runtime: string, job: Job, cell: Cell, profile: string): Promise<void> {
  if (job.name === 'data' && perContainerBind(profile, '/input')) {
    const r = await runPerContainerJob(runtime, job);
    const seen = `exit ${r.exitCode}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
    expect(r.stdout, seen).toMatch(job.ok);
    expect(r.exitCode, seen).toBe(0);
    expect(JSON.parse(r.collected ?? 'null'), 'the job output, collected after the container was removed').toEqual({ rows: 3, total: 42 });
    return;
  }
  const cidfile = join(base, `cid-${++cellRuns}`);
  const args = ['run', '--rm', '--cidfile', cidfile, '--network', 'none', '--runtime', runtime, '-w', '/opt', ...(job.stdin !== undefined ? ['-i'] : []), PYTHON_IMAGE, ...job.argv];
  const r = await docker(args, { timeout: 110_000, input: job.stdin });
  const seen = `exit ${r.exitCode}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
  if (cell.outcome.kind === 'works') {
    expect(r.stdout, seen).toMatch(job.ok);
    expect(r.exitCode, seen).toBe(0);
  } else {
    expect(r.stdout, seen).toMatch(new RegExp(`^DENIED ${job.name} \\w+ errno=${cell.outcome.errno} `, 'm'));
    expect(r.exitCode, seen).toBe(3);
    // A policy denial under a profile with the seccomp agent is visible to whoever debugs it.
    if (cell.outcome.errno !== 'ENOENT' && usesAgent(profile)) {
      const id = readFileSync(cidfile, 'utf8').trim();
      const lines = await denialsOf(id);
      expect(lines, `openclaw-runtime denials ${id} after ${job.name} under ${profile}`).toMatch(new RegExp(`profile ${profile} .*\\b(spec\\.[a-zA-Z.\\[\\]0-9]+|writable paths?|after the first exec)`));
    }
  }
}

let cellRuns = 0;

/** Whether `profile`'s compiled filter sends calls to the seccomp agent (its denials are logged). */
function usesAgent(profile: string): boolean {
  const file = [join(base, 'profiles', `${profile}.yaml`), join(REPO, 'profiles', `${profile}.yaml`)].find((f) => existsSync(f))!;
  return /readOnlyOpens: true/.test(readFileSync(file, 'utf8'));
}

/**
 * `openclaw-runtime denials ID` once the agent has written the container's lines (it writes the
 * log asynchronously; the container has exited, so nothing more will come: bounded wait).
 */
async function denialsOf(id: string): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const r = spawnSync(SHIM_BIN, ['denials', '--log', join(base, 'denials.log'), id], { encoding: 'utf8' });
    if (r.stdout.trim() !== '') return r.stdout;
    await new Promise((res) => setTimeout(res, 100));
  }
  return '';
}

describe.skipIf(imageSkip)('real workloads through docker, every profile x job, on runc and crun', () => {
  beforeAll(async () => {
    configs = writeConfigs();
    engines = await startEngines({ docker: true, daemonJson: daemonJson(configs), hideUnifiedCgroup: true });
    docker = engines.dockerd!.docker;
    await importIntoDocker(docker, image!);
  });

  afterAll(async () => {
    if (agentSocket) stopAgent(agentSocket);
    await engines?.stop();
    for (const f of placed) rmSync(f, { force: true });
    // The data job's output in smythos-alternative's (today shared) /output source.
    for (const p of SHIPPED) {
      const src = shippedBindSource(p.profile, '/output');
      if (src) rmSync(join(src, 'result.json'), { force: true });
    }
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('the image also imports into a containerd namespace and runs there through the shim (ctr run --runc-binary)', async () => {
    const cd = engines!.containerd;
    const ns = `openclaw-wl-${process.pid}`;
    await importIntoContainerd(engines!.dockerd!, cd, ns, image!, work!);
    // ctr passes no runtimeArgs: a wrapper adds the openclaw config and the profile.
    const wrapper = join(base, 'ctr-runtime');
    writeFileSync(wrapper, `#!/bin/sh\nexec '${SHIM_BIN}' --openclaw-config '${configs.runc}' --profile model-backend "$@"\n`, { mode: 0o755 });
    const r = await cd.ctr(ns, ['run', '--rm', '--runc-binary', wrapper, PYTHON_IMAGE_CONTAINERD, `wl-ctr-${process.pid}`, 'python3', '-c', 'import numpy; print("OK ctr", numpy.__version__)'], { timeout: 110_000 });
    expect(r.stdout, `${r.stdout}${r.stderr}`).toMatch(/^OK ctr \d/m);
    expect(r.exitCode, r.stderr).toBe(0);
  });

  for (const rt of RUNTIMES) {
    describe.skipIf(rt === 'crun' && crunSkip)(`on ${rt}`, () => {
      it(`the openclaw-*-${rt} runtimes hand over to ${rt} (its state file in the runtime root)`, async () => {
        // runc keeps <root>/<id>/state.json, crun <root>/<id>/status: which one ran is on disk.
        const name = `wl-which-${rt}-${process.pid}`;
        const started = await docker(['run', '-d', '--name', name, '--network', 'none', '--runtime', runtimeName('default', rt), PYTHON_IMAGE, 'python3', '-c', 'import time; time.sleep(60)']);
        try {
          expect(started.exitCode, started.stderr).toBe(0);
          const id = started.stdout.trim();
          const dir = join(engines!.dockerd!.dir, 'exec', 'runtime-runc', 'openclaw-e2e-moby', id);
          expect(existsSync(join(dir, rt === 'crun' ? 'status' : 'state.json')), dir).toBe(true);
          expect(existsSync(join(dir, rt === 'crun' ? 'state.json' : 'status')), dir).toBe(false);
        } finally {
          await docker(['rm', '-f', name]);
        }
      });

      for (const col of SHIPPED) {
        describe.concurrent(`profile ${col.profile}`, () => {
          for (const job of JOBS) {
            const cell = cellOf(col.cells, col.profile, job.name);
            const label = `${job.name} (${job.what}): ${cell.outcome.kind === 'works' ? 'works' : `denied ${cell.outcome.errno}`}`;
            // A known bug another change fixes: fails today, flips to a plain `it` with the fix.
            const test = cell.knownBug ? it.fails : it;
            test(cell.knownBug ? `${label} [known bug: ${cell.knownBug.split(';')[0]}]` : label, async () => {
              await runCell(runtimeName(col.profile, rt), job, cell, col.profile);
            });
          }
        });
      }

      describe('the admin\'s bind allow-list ([[binds.allowed]]) and docker run -v', () => {
        for (const a of ADMIN_BINDS) {
          for (const [jobName, cell] of Object.entries(a.cells)) {
            const job = JOBS.find((j) => j.name === jobName)!;
            it(`${a.profile} + [[binds.allowed]]: ${jobName} ${cell.outcome.kind === 'works' ? 'works' : `denied ${cell.outcome.errno}`} with -v, and the result reaches the host`, async () => {
              const out = join(adminOutputs(), `${rt}-${jobName}-${++cellRuns}`);
              mkdirSync(out, { mode: 0o755 });
              const r = await docker(['run', '--rm', '--network', 'none', '--runtime', runtimeName(a.profile, rt), '-v', `${adminInput()}:/input`, '-v', `${out}:/output`, '-w', '/opt', PYTHON_IMAGE, ...job.argv], { timeout: 110_000 });
              const seen = `exit ${r.exitCode}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
              expect(r.stdout, seen).toMatch(job.ok);
              expect(r.exitCode, seen).toBe(0);
              expect(JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'))).toEqual({ rows: 3, total: 42 });
            });
          }
        }
      });

      describe('widened profiles (a shipped profile plus one allow-list change)', () => {
        for (const w of WIDENED) {
          for (const [jobName, cell] of Object.entries(w.cells)) {
            const job = JOBS.find((j) => j.name === jobName)!;
            it(`${w.name} (${w.base} + binds): ${jobName} works, and the result reaches the host`, async () => {
              const result = join(ioDir(), 'output', 'result.json');
              rmSync(result, { force: true });
              await runCell(runtimeName(w.name, rt), job, cell, w.name);
              expect(JSON.parse(readFileSync(result, 'utf8'))).toEqual({ rows: 3, total: 42 });
            });
          }
        }
      });
    });
  }
});
