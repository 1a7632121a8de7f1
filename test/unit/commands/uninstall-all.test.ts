/**
 * What `uninstall --all` counts as this package's (commands/uninstall-all.ts planUninstallAll):
 * an engine entry whose executable is the package's launcher, also through a symlink, or a
 * launcher `install` generated that execs it; never another runtime, nor a generated launcher
 * of another installation. Files only: no daemon runs here.
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONFIG } from '../../../shim/config/defaults.js';
import type { RuntimeConfig } from '../../../shim/config/schema.js';
import { launcherText } from '../../../shim/install/launcher.js';
import { formatPlan, planUninstallAll } from '../../../shim/commands/uninstall-all.js';

describe('uninstall --all: what is this package\'s', () => {
  it('finds docker, containerd and podman entries that run this package, directly, by symlink or by a generated launcher', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'openclaw-unall-'));
    const binary = join(dir, 'pkg', 'bin', 'openclaw-runtime');
    mkdirSync(join(dir, 'pkg', 'bin'), { recursive: true });
    writeFileSync(binary, '#!/bin/sh\n', { mode: 0o755 });
    symlinkSync(binary, join(dir, 'link'));
    const launchers = join(dir, 'runtimes');
    mkdirSync(launchers);
    writeFileSync(join(launchers, 'ours'), launcherText({ path: join(launchers, 'ours'), binary: join(dir, 'link'), profile: 'default', engine: 'podman' }));
    writeFileSync(join(launchers, 'theirs'), launcherText({ path: join(launchers, 'theirs'), binary: '/opt/other/bin/openclaw-runtime', profile: 'default', engine: 'podman' }));
    const docker = join(dir, 'daemon.json');
    writeFileSync(docker, JSON.stringify({ runtimes: { direct: { path: binary }, bylink: { path: join(dir, 'link') }, other: { path: '/usr/bin/crun' } } }));
    const containerd = join(dir, 'config.toml');
    writeFileSync(containerd, `version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.ctr.options]\nBinaryName = "${join(launchers, 'ours')}"\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]\nBinaryName = "/usr/sbin/runc"\n`);
    const podman = join(dir, 'containers.conf');
    writeFileSync(podman, `[engine.runtimes]\npod = ["${join(launchers, 'ours')}"]\nforeign = ["${join(launchers, 'theirs')}"]\n`);
    const config = structuredClone(DEFAULT_CONFIG) as unknown as RuntimeConfig;
    config.state.dir = join(dir, 'state');
    config.jobs.dir = join(dir, 'jobs');
    config.agent.socket = join(dir, 'agent', 'agent.sock');
    config.agent.denial_log = join(dir, 'denials.log');
    const options = { config, serviceDir: join(dir, 'service'), binary, dockerConfig: docker, containerdConfig: containerd, podmanConfig: podman, launcherDir: launchers, systemdDropin: join(dir, 'dropin.conf'), jobs: false, dryRun: true };
    const plan = await planUninstallAll(options);
    expect(plan.engines.map((e) => `${e.engine}:${e.name}`).sort()).toEqual(['containerd:ctr', 'docker:bylink', 'docker:direct', 'podman:pod']);
    // Only the generated launcher that execs this package; another installation's stays.
    expect(plan.launchers).toEqual([join(launchers, 'ours')]);
    expect(plan.blockers).toEqual([]);
    expect(plan.daemons).toEqual([]);
    const listing = formatPlan(plan, { jobs: false });
    expect(listing).toContain(`remove  docker runtime "direct" in ${docker} (runs ${binary})`);
    expect(listing).not.toMatch(/"other"|"runc"|"foreign"/);
    rmSync(dir, { recursive: true, force: true });
  });
});
