/**
 * `uninstall --all` (issue 13 item 6) on a host set up for real, in private paths: a config of
 * its own (state, jobs, agent socket, denial log, debug log under a temp dir), engine configs in
 * the temp dir registered by the real `install docker|containerd|podman`, a service and an agent
 * started by real containers. Checked: the listing comes first and names everything; `--dry-run`
 * and a running container change nothing; the real run removes every registration of this
 * package (and nothing else in those files), stops both daemons and removes their files, the
 * state and the logs, and keeps the job directories until `--jobs`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { integrationSkipReason, makeBundle, REPO, SHIM, type Bundle } from '../helpers/bundle.js';
import { runc, shim, type Ran } from '../helpers/shim.js';
import { agentWorkDir, alive, removeAgentWorkDir } from '../helpers/agent.js';
import { spawnSync } from 'node:child_process';

const ADDON = join(REPO, 'addon', 'build', 'Release', 'openclaw_agent.node');
const skip = integrationSkipReason() ?? (existsSync(ADDON) ? undefined : 'the seccomp agent addon is not built (scripts/build-addon.sh)');
if (skip) console.warn(`SKIP integration/uninstall-all: ${skip}`);

const ROOT = mkdtempSync(join(tmpdir(), 'openclaw-uninstall-root-'));

/** Every file under dir, relative, with its content (a snapshot to compare). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p, `${rel}${e.name}/`);
      else out[`${rel}${e.name}`] = e.isFile() ? readFileSync(p, 'utf8').slice(0, 200) : '<special>';
    }
  };
  walk(dir, '');
  return out;
}

describe.skipIf(skip)('uninstall --all', () => {
  let work: string;
  let socket: string;
  let configToml: string;
  const bundles: Bundle[] = [];
  let paths: Record<'docker' | 'containerd' | 'podman' | 'launchers' | 'dropin' | 'service' | 'debugLog' | 'denialLog', string>;
  let engineFlags: string[];
  const env = (): NodeJS.ProcessEnv => ({ OPENCLAW_SERVICE_DIR: paths.service });
  const oc = (args: string[], opts: { detached?: boolean } = {}): Ran => shim(['--openclaw-config', configToml, ...args], { env: env(), ...opts });
  const uninstall = (extra: string[]): Ran => oc(['uninstall', '--all', ...engineFlags, ...extra]);

  beforeAll(() => {
    ({ work, socket, configToml } = agentWorkDir('openclaw-uninstall-'));
    paths = {
      docker: join(work, 'etc', 'daemon.json'),
      containerd: join(work, 'etc', 'containerd.toml'),
      podman: join(work, 'etc', 'containers.conf'),
      launchers: join(work, 'runtimes'),
      dropin: join(work, 'etc', 'containerd-openclaw.conf'),
      service: join(work, 'service'),
      debugLog: join(work, 'logs-openclaw', 'debug.log'),
      denialLog: join(work, 'denials.log'),
    };
    writeFileSync(configToml, `${readFileSync(configToml, 'utf8')}[log]\nfile = "${paths.debugLog}"\nlevel = "debug"\n`);
    spawnSync('mkdir', ['-p', join(work, 'etc')]);
    // Someone else's runtimes in each file: they must survive.
    writeFileSync(paths.docker, JSON.stringify({ runtimes: { other: { path: '/usr/bin/other-runtime' } } }, null, 2));
    writeFileSync(paths.containerd, 'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.other]\nruntime_type = "io.containerd.runc.v2"\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.other.options]\nBinaryName = "/usr/bin/other-runtime"\n');
    writeFileSync(paths.podman, '[engine.runtimes]\nother = ["/usr/bin/other-runtime"]\n');
    engineFlags = ['--docker-config', paths.docker, '--containerd-config', paths.containerd, '--podman-config', paths.podman, '--launcher-dir', paths.launchers, '--systemd-dropin', paths.dropin, '--pidfile', join(work, 'no-docker.pid')];
    for (const args of [
      ['install', 'docker', '--config', paths.docker, '--name', 'oc-docker', '--profile', 'default', '--pidfile', join(work, 'no-docker.pid')],
      ['install', 'containerd', '--config', paths.containerd, '--name', 'oc-ctr', '--profile', 'smythos-alternative', '--launcher-dir', paths.launchers, '--openclaw-config', configToml, '--systemd-dropin', paths.dropin],
      ['install', 'podman', '--config', paths.podman, '--name', 'oc-pod', '--profile', 'default', '--launcher-dir', paths.launchers],
    ]) {
      const r = oc(args);
      expect(r.status, r.stderr).toBe(0);
    }
    // Run containers: the native launcher through the service, the agent for smythos-alternative
    // (a denial in the denial log, a job directory), and the sh launcher (Node path: the debug log).
    const b1 = makeBundle(['/bin/nc', '127.0.0.1', '9']);
    const b2 = makeBundle(['/bin/true']);
    bundles.push(b1, b2);
    oc(['--profile', 'smythos-alternative', '--root', ROOT, 'run', '--bundle', b1.dir, 'oc-un-job']);
    const viaSh = spawnSync(join(REPO, 'bin', 'openclaw-runtime.sh'), ['--openclaw-config', configToml, '--profile', 'default', '--root', ROOT, 'run', '--bundle', b2.dir, 'oc-un-sh'], { encoding: 'utf8', env: { ...process.env, OPENCLAW_CONFIG: '', ...env() } });
    expect(viaSh.status, viaSh.stderr).toBe(0);
    oc(['--root', ROOT, 'delete', 'oc-un-sh']);
    oc(['--root', ROOT, 'delete', 'oc-un-job']);
  });
  afterAll(() => removeAgentWorkDir(work, socket, ROOT, bundles));

  it('lists everything first; --dry-run and a running container change nothing; then removes it all but the jobs; --jobs removes those', () => {
    const agentPid = Number.parseInt(readFileSync(`${socket}.lock`, 'utf8'), 10);
    expect(alive(agentPid)).toBe(true);
    expect(existsSync(paths.denialLog)).toBe(true);
    expect(existsSync(paths.debugLog)).toBe(true);
    expect(existsSync(join(work, 'jobs', 'oc-un-job'))).toBe(true);
    // The service: started by the native launcher's first fallback (or already up).
    let servicePid = 0;
    for (let i = 0; i < 200 && !(servicePid > 0 && alive(servicePid)); i++) {
      oc(['--root', ROOT, 'list']);
      try {
        servicePid = Number.parseInt(readFileSync(join(paths.service, 'service.lock'), 'utf8'), 10);
      } catch {
        /* not yet */
      }
    }
    expect(alive(servicePid)).toBe(true);

    const before = snapshot(work);
    const dry = uninstall(['--dry-run']);
    expect(dry.status, dry.stderr).toBe(0);
    const listing = dry.stdout;
    expect(listing).toContain(`remove  docker runtime "oc-docker" in ${paths.docker} (runs ${SHIM})`);
    expect(listing).toContain(`remove  containerd runtime "oc-ctr" in ${paths.containerd} (runs ${join(paths.launchers, 'oc-ctr')})`);
    expect(listing).toContain(`remove  podman runtime "oc-pod" in ${paths.podman} (runs ${join(paths.launchers, 'oc-pod')})`);
    expect(listing).toContain(`remove  generated launcher ${join(paths.launchers, 'oc-ctr')}`);
    expect(listing).toContain(`remove  systemd drop-in ${paths.dropin}`);
    expect(listing).toContain(`stop    seccomp agent (pid ${agentPid})`);
    expect(listing).toContain(`stop    resident service (pid ${servicePid})`);
    expect(listing).toContain(`remove  ${paths.service}\n`);
    expect(listing).toMatch(new RegExp(`remove {2}${socket}, ${socket}\\.lock, .*${socket}\\.stats, ${join(work, 'agent', 'seccomp-agent.log')}`));
    for (const s of ['cache', 'seal.key']) expect(listing).toContain(`remove  ${join(work, 'state', s)}\n`);
    expect(listing).toContain(`remove  ${paths.denialLog}\n`);
    expect(listing).toContain(`remove  ${paths.debugLog}\n`);
    expect(listing).toContain(`keep    ${join(work, 'jobs')}: 1 job directories of users' output (oc-un-job); --jobs removes them`);
    expect(listing).not.toMatch(/other/);
    expect(snapshot(work)).toEqual(before);
    expect(alive(agentPid) && alive(servicePid)).toBe(true);

    // A container still running under the agent: refused, nothing changed.
    const sleeper = makeBundle(['/bin/sleep', '1000']);
    bundles.push(sleeper);
    expect(oc(['--profile', 'smythos-alternative', '--root', ROOT, 'run', '--detach', '--bundle', sleeper.dir, 'oc-un-running'], { detached: true }).status).toBe(0);
    const beforeRefusal = snapshot(join(work, 'etc'));
    const refused = uninstall([]);
    expect(refused.status).toBe(1);
    expect(refused.stdout).toMatch(/blocked the seccomp agent \(pid \d+\) serves 1 container process\(es\)/);
    expect(refused.stdout).toMatch(/blocked container oc-un-running still exists/);
    expect(refused.stderr).toMatch(/nothing was changed/);
    expect(snapshot(join(work, 'etc'))).toEqual(beforeRefusal);
    expect(alive(agentPid)).toBe(true);
    runc(['--root', ROOT, 'kill', 'oc-un-running', 'KILL']);
    expect(oc(['--root', ROOT, 'delete', '--force', 'oc-un-running']).status).toBe(0);
    // The agent drops the listener once the kernel reports the container's tasks gone.
    let stats = oc(['stats', '--service-dir', paths.service]).stdout;
    for (let i = 0; i < 200 && !/^openclaw_agent_listeners 0$/m.test(stats); i++) stats = oc(['stats', '--service-dir', paths.service]).stdout;

    const done = uninstall([]);
    expect(done.status, done.stderr).toBe(0);
    expect(done.stdout.split('\n')[0]).toBe(`openclaw-runtime uninstall --all (config: ${configToml}):`);
    expect(JSON.parse(readFileSync(paths.docker, 'utf8'))).toEqual({ runtimes: { other: { path: '/usr/bin/other-runtime' } } });
    expect(readFileSync(paths.containerd, 'utf8')).toContain('other');
    expect(readFileSync(paths.containerd, 'utf8')).not.toContain('oc-ctr');
    expect(readFileSync(paths.podman, 'utf8')).toMatch(/other = \[\s*"\/usr\/bin\/other-runtime"\s*\]/);
    expect(readFileSync(paths.podman, 'utf8')).not.toContain('oc-pod');
    expect(existsSync(paths.launchers)).toBe(false);
    expect(existsSync(paths.dropin)).toBe(false);
    expect(alive(agentPid)).toBe(false);
    expect(alive(servicePid)).toBe(false);
    expect(existsSync(join(work, 'agent'))).toBe(false);
    expect(existsSync(paths.service)).toBe(false);
    expect(existsSync(join(work, 'state'))).toBe(false);
    expect(existsSync(paths.denialLog)).toBe(false);
    expect(existsSync(join(work, 'logs-openclaw'))).toBe(false);
    expect(existsSync(join(work, 'jobs', 'oc-un-job', 'output'))).toBe(true);

    const again = uninstall(['--jobs']);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toContain(`remove  ${join(work, 'jobs')} (2 job directories: oc-un-job, oc-un-running)`);
    expect(existsSync(join(work, 'jobs'))).toBe(false);
    rmSync(join(work, 'etc'), { recursive: true, force: true });
  });
});
