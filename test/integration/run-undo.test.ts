/**
 * Every way a container's life ends undoes its host set-up (the record under
 * <state.dir>/containers/), exactly once, and never a live container's. Real runc 1.1.5 and
 * crun 1.8.1, a busybox bundle whose rootfs others may search (as containerd's bundles are: no
 * rootfs bind is needed), under a profile whose only host action is a per-container writable
 * bind (`perContainer: output`, as smythos-alternative has).
 *
 * Two transports: the Node path (the sh launcher: Node runs the runtime and undoes after a
 * foreground `run` itself) and the resident service (the native launcher execs the runtime, so
 * no shim code runs after the container exits; only the poststop hook create added can undo).
 * Before the fix the hook was added for a rootfs bind only: a foreground `run` through the
 * service left the record (and `jobs prune` kept the job) until `delete`, which runc answered
 * "container does not exist".
 *
 * crun 1.8.1 refuses this machine's hybrid cgroup layout unless the v2 mount is hidden
 * (FIELD-NOTES), which needs a mount namespace of its own; the service answers only callers in
 * its own mount namespace, so the crun case starts its service inside that namespace.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { integrationSkipReason, makeBundle, removeTemplate, REPO, SHIM, which, type Bundle } from '../helpers/bundle.js';
import { runc, shim as shimAny, type Ran } from '../helpers/shim.js';
import { startService } from '../../shim/service/client.js';
import { serviceSocket } from '../../shim/service/paths.js';

const skip = integrationSkipReason();
if (skip) console.warn(`SKIP integration/run-undo: ${skip}`);
const nativeBuilt = existsSync(SHIM) && !readFileSync(SHIM).subarray(0, 2).equals(Buffer.from('#!'));
if (!nativeBuilt) console.warn('SKIP integration/run-undo through the service: bin/openclaw-runtime is not the native launcher (scripts/build-launcher.sh)');
const crun = which('crun');
if (!crun) console.warn('SKIP integration/run-undo under crun: crun is not installed');

const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const PROFILE = 'run-undo';

let work: string;
let root: string;
let configToml: string;
let noNodePath: string;
const bundles: Bundle[] = [];
const services: string[] = [];
let n = 0;
const cid = (what: string) => `oc-undo-${process.pid}-${++n}-${what}`;

interface Transport {
  name: string;
  launcher: string;
  /** The service's directory (a service answers the calls), or undefined: the Node path. */
  service?: string;
}

function env(t: Transport): NodeJS.ProcessEnv {
  // Through the service a `node` that fails comes first on PATH: any fallback to Node fails the test.
  return t.service ? { OPENCLAW_SERVICE_DIR: t.service, PATH: noNodePath } : {};
}

function oc(t: Transport, args: string[], opts: { detached?: boolean } = {}): Ran {
  return shimAny(['--openclaw-config', configToml, '--root', root, ...args], { ...opts, launcher: t.launcher, env: env(t) });
}

const recordOf = (id: string) => join(work, 'state', 'containers', `${id}.json`);
const jobOf = (id: string) => join(work, 'jobs', id);

/** A bundle whose every directory others may search (no rootfs bind), running `args`. */
function bundle(args: string[]): Bundle {
  const b = makeBundle(args, { parent: work });
  chmodSync(b.dir, 0o755);
  bundles.push(b);
  return b;
}

function stopService(dir: string): void {
  const lock = join(dir, 'service.lock');
  if (existsSync(lock)) process.kill(Number.parseInt(readFileSync(lock, 'utf8'), 10), 'SIGTERM');
}

describe.skipIf(skip)('the host side is undone when a container\'s life ends (real runc, crun)', () => {
  const transports: Transport[] = [];
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'openclaw-undo-'));
    chmodSync(work, 0o711);
    root = join(work, 'runc-root');
    configToml = join(work, 'config.toml');
    writeFileSync(configToml, `[state]\ndir = "${join(work, 'state')}"\n[jobs]\ndir = "${join(work, 'jobs')}"\n[profiles]\ndirectories = ["${join(work, 'profiles')}"]\n[agent]\nsocket = "${join(work, 'agent', 'agent.sock')}"\n[runtime]\ncandidates = ["${which('runc')}"]\n`);
    const profile = parse(readFileSync(join(REPO, 'profiles', 'default.yaml'), 'utf8'));
    profile.metadata.name = PROFILE;
    profile.spec.filesystem.allowedBindMounts = [{ perContainer: 'output', destination: '/output', readonly: false }];
    mkdirSync(join(work, 'profiles'));
    writeFileSync(join(work, 'profiles', `${PROFILE}.yaml`), stringify(profile));
    const noNode = join(work, 'no-node');
    mkdirSync(noNode);
    writeFileSync(join(noNode, 'node'), '#!/bin/sh\necho "FELL BACK TO NODE" >&2\nexit 99\n', { mode: 0o755 });
    noNodePath = `${noNode}:${SYSTEM_PATH}`;
    transports.push({ name: 'Node path', launcher: join(REPO, 'bin', 'openclaw-runtime.sh') });
    if (nativeBuilt) {
      const dir = join(work, 'service');
      services.push(dir);
      expect(await startService(dir, { wait: true })).toBe(true);
      transports.push({ name: 'resident service', launcher: SHIM, service: dir });
    }
  });
  afterAll(() => {
    for (const line of runc(['--root', root, 'list', '-q']).stdout.split('\n').filter(Boolean)) runc(['--root', root, 'delete', '--force', line]);
    for (const dir of services) stopService(dir);
    for (const b of bundles) b.cleanup();
    removeTemplate();
    rmSync(work, { recursive: true, force: true });
  });

  const each = (body: (t: Transport) => void) => () => {
    expect(transports.length).toBe(nativeBuilt ? 2 : 1);
    for (const t of transports) body(t);
  };

  it('runc run (foreground): when it returns the record is gone, the output kept, the job prunable, and delete is runc\'s own answer', each((t) => {
    const id = cid('run');
    const r = oc(t, ['--profile', PROFILE, 'run', '--bundle', bundle(['/bin/sh', '-c', 'echo done > /output/result']).dir, id]);
    expect(r.stderr, t.name).toBe('');
    expect(r.status, t.name).toBe(0);
    expect(readFileSync(join(jobOf(id), 'output', 'result'), 'utf8'), t.name).toBe('done\n');
    expect(existsSync(recordOf(id)), `${t.name}: host record after run`).toBe(false);
    // jobs is answered by Node on either launcher: the sh launcher, so that PATH's failing node is not in the way.
    const pruned = oc(transports[0], ['jobs', 'prune', '--older-than', '0', id]);
    expect(pruned.status, `${t.name}: ${pruned.stderr}`).toBe(0);
    expect(existsSync(jobOf(id)), `${t.name}: job dir after prune`).toBe(false);
    const plain = runc(['--root', root, 'delete', id]);
    const deleted = oc(t, ['delete', id]);
    expect({ status: deleted.status, stderr: deleted.stderr.replace(/time="[^"]*"/, '') }, t.name).toEqual({ status: plain.status, stderr: plain.stderr.replace(/time="[^"]*"/, '') });
  }));

  it.each([
    ['a plain runc delete (an engine bypassing the shim)', (id: string) => runc(['--root', root, 'delete', '--force', id])],
    ['openclaw-runtime delete', (id: string, t: Transport) => oc(t, ['delete', '--force', id])],
  ] as const)('%s of a container that ran undoes it through the hook', (_name, del) => each((t) => {
    const id = cid('delete');
    const created = oc(t, ['--profile', PROFILE, 'create', '--bundle', bundle(['/bin/true']).dir, id], { detached: true });
    expect(created.status, `${t.name}: ${created.stderr}`).toBe(0);
    expect(existsSync(recordOf(id)), t.name).toBe(true);
    expect(runc(['--root', root, 'start', id]).status).toBe(0);
    const deleted = del(id, t);
    expect(deleted.status, `${t.name}: ${deleted.stderr}`).toBe(0);
    expect(existsSync(recordOf(id)), `${t.name}: host record after delete`).toBe(false);
  })());

  it('create of an id runc already runs is refused and leaves the live container\'s record and job alone', each((t) => {
    const id = cid('live');
    const created = oc(t, ['--profile', PROFILE, 'create', '--bundle', bundle(['/bin/sleep', '300']).dir, id], { detached: true });
    expect(created.status, `${t.name}: ${created.stderr}`).toBe(0);
    expect(oc(t, ['start', id]).status).toBe(0);
    const record = readFileSync(recordOf(id));
    const again = oc(t, ['--profile', PROFILE, 'run', '--bundle', bundle(['/bin/true']).dir, id]);
    expect(again.status, t.name).not.toBe(0);
    expect(again.stderr, t.name).toMatch(/already exists/);
    expect(existsSync(recordOf(id)) && readFileSync(recordOf(id)).equals(record), `${t.name}: the live container's record, unchanged`).toBe(true);
    const deleted = oc(t, ['delete', '--force', id]);
    expect(deleted.status, `${t.name}: ${deleted.stderr}`).toBe(0);
    expect(existsSync(recordOf(id)), `${t.name}: host record after delete`).toBe(false);
  }));

  /** `crun run` of a bundle running `args`, through the native launcher and a service of its own in the mount namespace where the cgroup v2 mount is hidden. */
  function crunRunThroughService(args: string[], id: string): Ran {
    const toml = join(work, 'crun.toml');
    writeFileSync(toml, readFileSync(configToml, 'utf8').replace(/candidates = \[.*\]/, `candidates = ["${crun}"]`));
    const dir = join(work, `service-${id}`);
    services.push(dir);
    const hide = existsSync('/sys/fs/cgroup/unified') ? 'mount -t tmpfs tmpfs /sys/fs/cgroup/unified && ' : '';
    // The service is started (and waited for) inside the namespace the launcher then runs in.
    const startInNs = `import(${JSON.stringify(join(REPO, 'dist', 'service', 'client.js'))}).then(async (m) => process.exit((await m.startService(${JSON.stringify(dir)}, { wait: true })) ? 0 : 1))`;
    const script = `${hide}node --input-type=module -e "$1" && shift && PATH="$0" exec "$@"`;
    const r = spawnSync('unshare', ['-m', 'sh', '-c', script, noNodePath, startInNs, SHIM, '--openclaw-config', toml, '--root', join(work, 'crun-root'), '--profile', PROFILE, 'run', '--bundle', bundle(args).dir, id], {
      encoding: 'utf8',
      env: { ...process.env, OPENCLAW_CONFIG: '', OPENCLAW_SERVICE_DIR: dir },
      timeout: 60_000,
    });
    expect(existsSync(serviceSocket(dir)), 'the service answered in the namespace').toBe(true);
    return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
  }

  it.skipIf(!crun || !nativeBuilt)('crun run (foreground) through the resident service: crun runs the hook too, the record is gone when it returns', () => {
    const id = cid('crun-run');
    const r = crunRunThroughService(['/bin/sh', '-c', 'echo done > /output/result'], id);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readFileSync(join(jobOf(id), 'output', 'result'), 'utf8')).toBe('done\n');
    expect(existsSync(recordOf(id)), 'host record after crun run').toBe(false);
  });

  it.skipIf(!crun || !nativeBuilt)('crun run that fails to start through the resident service (crun runs no hook then): the next create undoes it at once, not a minute later', () => {
    const id = cid('crun-fails');
    const r = crunRunThroughService(['/bin/no-such-program'], id);
    expect(r.stderr).toMatch(/no-such-program/);
    expect(r.status).toBe(1);
    // Nothing of ours ran after crun: the launcher had become crun, and crun ran no poststop hook.
    expect(existsSync(recordOf(id)), 'host record right after the failed run').toBe(true);
    // The Node path's create awaits its sweep: the record's creator (the launcher, then crun) has ended.
    const next = oc(transports[0], ['--profile', PROFILE, 'run', '--bundle', bundle(['/bin/true']).dir, cid('next')]);
    expect(next.status, next.stderr).toBe(0);
    expect(existsSync(recordOf(id)), 'host record after the next create').toBe(false);
  });
});
