/**
 * `openclaw-runtime record --engine docker CONTAINER` (issue 13 item 1, "--engine docker on an
 * existing container"): a private dockerd (test/helpers/daemons.ts), the real Python image
 * imported into it, a container created (never started) with bind mounts, a numeric user and a
 * working dir; `record` takes its job from docker inspect and its file system from docker
 * export, and the profile it writes passes lint and runs the same job under plain runc through
 * the shim. Skips, with the reason, when the daemons or the image cannot be had here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { missingPrerequisite, REPO, SHIM_BIN, startEngines, type Dockerd, type Engines } from '../helpers/daemons.js';
import { agentWorkDir, stopAgent } from '../helpers/agent.js';
import { runc } from '../helpers/shim.js';
import { addDockerRuntime } from '../../shim/install/docker-config.js';

const skip0 = missingPrerequisite();
const built = skip0 ? undefined : spawnSync(join(REPO, 'scripts', 'build-python-image.sh'), [], { encoding: 'utf8', timeout: 900_000 });
const skip = skip0 ?? (built && built.status !== 0 ? `scripts/build-python-image.sh failed: ${`${built.stdout}${built.stderr}`.trim().split('\n').slice(-2).join(' | ')}` : undefined);
if (skip) console.log(`[e2e record-docker] skipped: ${skip}`);
const IMAGE_TAR = built?.stdout.trim().split('\n')[0] ?? '';
const IMAGE = 'openclaw-test/python-record:bookworm';

let engines: Engines | undefined;
let docker: Dockerd['docker'];
let host: string;
let work: string;
let socket: string;
let configToml: string;
let jobDir: string;

const shim = (args: string[], timeout = 300_000) => spawnSync(SHIM_BIN, ['--openclaw-config', configToml, ...args], { encoding: 'utf8', env: { ...process.env, OPENCLAW_CONFIG: '' }, timeout });

describe.skipIf(skip)('record --engine docker (private dockerd, the real Python image)', () => {
  beforeAll(async () => {
    ({ work, socket, configToml } = agentWorkDir('openclaw-record-docker-'));
    // The recorded profile, by name, as a Docker runtime (it is written later: the shim reads it at each create).
    const daemonJson = addDockerRuntime({}, { name: 'openclaw-recorded', binary: SHIM_BIN, profile: 'docker-job', openclawConfig: configToml }).config;
    engines = await startEngines({ docker: true, daemonJson });
    docker = engines.dockerd!.docker;
    host = `unix://${engines.dockerd!.host.replace(/^unix:\/\//, '')}`;
    const profiles = join(work, 'profiles');
    mkdirSync(profiles);
    appendFileSync(configToml, `[profiles]\ndirectories = ["${profiles}"]\n`);
    jobDir = mkdtempSync('/srv/.oc-record-docker-');
    chmodSync(jobDir, 0o755);
    for (const d of ['input', 'output', 'job']) mkdirSync(join(jobDir, d));
    chmodSync(join(jobDir, 'output'), 0o777);
    writeFileSync(join(jobDir, 'input', 'data.csv'), 'name,value\na,1\nb,2\nc,39\n');
    writeFileSync(join(jobDir, 'job', 'main.py'), 'import csv, json, os\nrows = list(csv.DictReader(open("/input/data.csv")))\njson.dump({"total": sum(int(r["value"]) for r in rows), "uid": os.getuid(), "cwd": os.getcwd()}, open("/output/result.json", "w"))\nprint("OK", open("/output/result.json").read(), flush=True)\n');
    const imported = await docker(['import', IMAGE_TAR, IMAGE], { timeout: 600_000 });
    if (imported.exitCode !== 0) throw new Error(`docker import: ${imported.stderr}`);
    const created = await docker(['create', '--name', 'oc-record-job', '--network', 'none', '--user', '1000:1000', '--workdir', '/job',
      '-v', `${join(jobDir, 'input')}:/input:ro`, '-v', `${join(jobDir, 'output')}:/output`, '-v', `${join(jobDir, 'job')}:/job:ro`, IMAGE, 'python3', 'main.py']);
    if (created.exitCode !== 0) throw new Error(`docker create: ${created.stderr}`);
  }, 900_000);

  afterAll(async () => {
    await docker?.(['rm', '-f', 'oc-record-job']);
    await engines?.stop();
    for (const line of runc(['--root', join(work, 'runc-root'), 'list', '-q']).stdout.split('\n').filter(Boolean)) runc(['--root', join(work, 'runc-root'), 'delete', '--force', line]);
    if (socket) stopAgent(socket);
    if (work) rmSync(work, { recursive: true, force: true });
    if (jobDir) rmSync(jobDir, { recursive: true, force: true });
  });

  it('records the container\'s job as docker defined it (command, working dir, user, binds), without starting the container', async () => {
    const out = join(work, 'profiles', 'docker-job.yaml');
    const r = shim(['record', '--engine', 'docker', '--docker-host', host, '--name', 'docker-job', '--out', out, 'oc-record-job']);
    expect(r.stderr).toMatch(/job exit status 0/);
    expect(r.stdout).toMatch(/^OK \{"total": 42, "uid": 1000, "cwd": "\/job"\}$/m);
    expect(r.status).toBe(0);
    const state = await docker(['inspect', '-f', '{{.State.Status}}', 'oc-record-job']);
    expect(state.stdout.trim()).toBe('created');
    const p = parse(readFileSync(out, 'utf8'));
    expect(p.spec.filesystem.allowedBindMounts).toEqual(expect.arrayContaining([
      { source: join(jobDir, 'input'), destination: '/input', readonly: true },
      // uid 1000 could not write a per-container directory (it belongs to the container's root): the host source stays, OC106 accepted with why.
      { source: join(jobDir, 'output'), destination: '/output', readonly: false },
    ]));
    expect(p.metadata.acceptedWarnings).toEqual([{ id: 'OC106', reason: expect.stringMatching(/the job runs as uid 1000 and writes \/output/) }]);
    expect(p.metadata.description).toMatch(/"python3 main\.py"/);
    const l = shim(['lint', out]);
    expect(l.stdout).toMatch(/^ok docker-job .*: no warnings \(1 accepted\)$/m);
    expect(l.status).toBe(0);
  });

  const runArgs = ['run', '--rm', '--network', 'none', '--runtime', 'openclaw-recorded', '--user', '1000:1000', '--workdir', '/job'];
  const binds = () => ['-v', `${join(jobDir, 'input')}:/input:ro`, '-v', `${join(jobDir, 'output')}:/output`, '-v', `${join(jobDir, 'job')}:/job:ro`];

  it('docker run of the same job under the recorded profile (as a Docker runtime) passes', async () => {
    rmSync(join(jobDir, 'output', 'result.json'), { force: true });
    const r = await docker([...runArgs, ...binds(), IMAGE, 'python3', 'main.py'], { timeout: 180_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^OK \{"total": 42, "uid": 1000, "cwd": "\/job"\}$/m);
    expect(r.exitCode).toBe(0);
  });

  it('a job that forks, under the same profile through Docker, is denied and explained', async () => {
    writeFileSync(join(jobDir, 'job', 'fork.py'), 'import os\npid = os.fork()\nif pid == 0:\n    os._exit(0)\nos.waitpid(pid, 0)\nprint("OK forked")\n');
    const r = await docker([...runArgs, '--name', 'oc-record-fork', ...binds(), IMAGE, 'python3', 'fork.py'], { timeout: 180_000 });
    expect(r.stdout).not.toMatch(/OK forked/);
    expect(r.stderr).toMatch(/PermissionError: \[Errno 1\] Operation not permitted/);
    expect(r.exitCode).not.toBe(0);
    let e = shim(['explain', ''], 60_000);
    for (let i = 0; i < 50 && !/clone flags=/.test(e.stdout); i++) e = shim(['explain', ''], 60_000);
    expect(e.stdout).toMatch(/clone flags=CLONE_CHILD_CLEARTID\|CLONE_CHILD_SETTID\|SIGCHLD {2}EPERM: denied by the filter\n {2}denied by: \S+docker-job\.yaml:\d+: spec\.isolation\.syscallFilter\.blacklist\[0\]/);
  });
});
