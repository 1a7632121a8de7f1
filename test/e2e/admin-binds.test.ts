/**
 * `default` and the admin's bind allow-list ([[binds.allowed]] in the runtime config), end to
 * end: `docker run -v` through a private dockerd (test/helpers/daemons.ts) on real runc. The
 * admin lists a read-only data directory and a root for per-job read-write directories; a source
 * on no list is refused with the message that says where to allow it; a per-job directory a
 * hostile local user (uid 1000, via setpriv) owns on the way is refused although the admin
 * listed its root.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { addDockerRuntime } from '../../shim/install/docker-config.js';
import { missingPrerequisite, SHIM_BIN, startEngines, type Dockerd, type Engines } from '../helpers/daemons.js';
import { which } from '../helpers/bundle.js';
import { ensureTestImage, TEST_IMAGE } from '../helpers/images.js';
import { writeShimFixture, type ShimFixture } from './fixtures.js';

const HOSTILE = 1000;
const skip = missingPrerequisite() ?? (which('setpriv') ? undefined : 'setpriv (util-linux) is not installed: it plays the hostile local user');
if (skip) console.log(`[e2e admin-binds] skipped: ${skip}`);

let engines: Engines | undefined;
let docker: Dockerd['docker'];
let fixture: ShimFixture;
let dir: string;
const srv = () => join(dir, 'srv');

function run(args: readonly string[], script: string) {
  return docker(['run', '--rm', '--runtime', 'openclaw', '--network', 'none', ...args, TEST_IMAGE, 'sh', '-c', script], { timeout: 60_000 });
}

/** The mount options the container sees at `destination` (/proc/self/mounts). */
const OPTIONS_OF = (destination: string) => `awk '$2 == "${destination}" { print "OPTS " $4 }' /proc/self/mounts`;

describe.skipIf(skip)('default + [[binds.allowed]]: docker run -v (private dockerd, runc)', () => {
  beforeAll(async () => {
    dir = mkdtempSync('/tmp/oc-e2e-binds-');
    chmodSync(dir, 0o711);
    fixture = writeShimFixture(dir, SHIM_BIN);
    // Root's directories, as a platform running as root makes them.
    mkdirSync(join(srv(), 'data'), { recursive: true, mode: 0o755 });
    writeFileSync(join(srv(), 'data', 'hello.txt'), 'hello from the host\n');
    mkdirSync(join(srv(), 'jobs', 'j1'), { recursive: true, mode: 0o755 });
    mkdirSync(join(srv(), 'other'), { recursive: true, mode: 0o755 });
    // The hostile user's directory below a root the admin listed: a per-job dir they created.
    mkdirSync(join(srv(), 'shared'), { mode: 0o755 });
    mkdirSync(join(srv(), 'shared', 'u'), { mode: 0o755 });
    execFileSync('chown', [`${HOSTILE}:${HOSTILE}`, join(srv(), 'shared', 'u')]);
    execFileSync('setpriv', ['--reuid', String(HOSTILE), '--regid', String(HOSTILE), '--clear-groups', '--', 'mkdir', join(srv(), 'shared', 'u', 'job')]);
    appendFileSync(fixture.config, [
      '[[binds.allowed]]',
      `source = "${srv()}/data"`,
      'readonly = true',
      'profiles = ["default"]',
      '[[binds.allowed]]',
      `source = "${srv()}/jobs"`,
      'subdirectories = true',
      'readonly = false',
      'profiles = ["default"]',
      '[[binds.allowed]]',
      `source = "${srv()}/shared"`,
      'subdirectories = true',
      'readonly = false',
      'profiles = ["default"]',
      '',
    ].join('\n'));
    const daemonJson = addDockerRuntime({}, { name: 'openclaw', binary: SHIM_BIN, profile: 'default', openclawConfig: fixture.config }).config;
    engines = await startEngines({ docker: true, daemonJson });
    docker = engines.dockerd!.docker;
    await ensureTestImage(engines.dir, engines.dockerd!);
  });

  afterAll(async () => {
    fixture?.stopAgent();
    await engines?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a listed read-only source: the job reads it; the mount is ro, nosuid, nodev, noexec although -v asked rw', async () => {
    const r = await run(['-v', `${srv()}/data:/data:rw`], `cat /data/hello.txt; ${OPTIONS_OF('/data')}; touch /data/new 2>&1 || echo WRITE-REFUSED`);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^hello from the host$/m);
    const opts = /^OPTS (\S+)$/m.exec(r.stdout)?.[1]?.split(',') ?? [];
    expect(opts).toEqual(expect.arrayContaining(['ro', 'nosuid', 'nodev', 'noexec']));
    expect(r.stdout).toMatch(/Read-only file system[\s\S]*WRITE-REFUSED/);
    expect(existsSync(join(srv(), 'data', 'new'))).toBe(false);
  });

  it('a per-job directory below a listed read-write root: the job writes its output, the host collects it; still noexec', async () => {
    const r = await run(['-v', `${srv()}/jobs/j1:/output`], `echo result > /output/result.txt && ${OPTIONS_OF('/output')}`);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readFileSync(join(srv(), 'jobs', 'j1', 'result.txt'), 'utf8')).toBe('result\n');
    const opts = /^OPTS (\S+)$/m.exec(r.stdout)?.[1]?.split(',') ?? [];
    expect(opts).toEqual(expect.arrayContaining(['rw', 'nosuid', 'nodev', 'noexec']));
  });

  it('a source on no list is refused, naming -v / --mount, the config file, binds.allowed and the entry to add', async () => {
    const r = await run(['-v', `${srv()}/other:/data`], 'true');
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/openclaw-runtime: /);
    expect(r.stderr).toContain(`not allowed under profile "default": neither the profile's spec.filesystem.allowedBindMounts (none) nor binds.allowed in ${fixture.config} lists ${srv()}/other`);
    expect(r.stderr).toContain(`docker run -v ${srv()}/other:/data, or --mount type=bind,source=${srv()}/other,target=/data`);
    expect(r.stderr).toContain(`[[binds.allowed]] source = "${srv()}/other", readonly = true (false for read-write), profiles = ["default"]`);
    // --mount is the same bind to the runtime, and refused the same way.
    const m = await run(['--mount', `type=bind,source=${srv()}/other,target=/data`], 'true');
    expect(m.exitCode).not.toBe(0);
    expect(m.stderr).toContain('nor binds.allowed in');
  });

  it('a hostile local user\'s directory on the way (uid 1000 owns it) is refused although the admin listed the root above it', async () => {
    const r = await run(['-v', `${srv()}/shared/u/job:/output`], 'echo pwned > /output/x');
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain(`matches binds.allowed[2].source in ${fixture.config} but is not safe to mount: ${srv()}/shared/u is owned by uid ${HOSTILE}, not root`);
    expect(existsSync(join(srv(), 'shared', 'u', 'job', 'x'))).toBe(false);
  });
});
