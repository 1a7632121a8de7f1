/**
 * Filter denials through Docker (private dockerd, runc): Docker's own default filter denies
 * most of what the profiles deny, and the shim merges the two. A denial both filters make
 * must still reach the agent and `openclaw-runtime denials` (the profile's errno, its rule),
 * under an agent profile, and under `default` when the admin turned on [agent]
 * log_filter_denials; with the switch off, `denials` says how to turn it on.
 *
 * Why this fails on the code before: the merge gave each such call the stricter action,
 * Docker's errno over the profile's NOTIFY, so the kernel answered and nothing was logged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { addDockerRuntime } from '../../shim/install/docker-config.js';
import { missingPrerequisite, SHIM_BIN, startEngines, type Dockerd, type Engines } from '../helpers/daemons.js';
import { ensureTestImage, TEST_IMAGE } from '../helpers/images.js';
import { writeShimFixture, type ShimFixture } from './fixtures.js';

const skip = missingPrerequisite();
if (skip) console.log(`[e2e denials-docker] skipped: ${skip}`);

let engines: Engines | undefined;
let docker: Dockerd['docker'];
let fixture: ShimFixture;
let dir: string;
/** The fixture's config plus [agent] log_filter_denials = true (same agent, same log). */
let loggingConfig: string;
let n = 0;

/** Runs `script` (a shell line, or an argv) under `runtime`; returns the result and the container id (from --cidfile). */
async function run(runtime: string, script: string | string[]) {
  const cidfile = join(dir, `cid-${++n}`);
  const argv = typeof script === 'string' ? ['sh', '-c', script] : script;
  const r = await docker(['run', '--rm', '--cidfile', cidfile, '--runtime', runtime, '--network', 'none', TEST_IMAGE, ...argv], { timeout: 60_000 });
  return { ...r, id: readFileSync(cidfile, 'utf8').trim() };
}

/** `denials ID` once the agent has written the container's lines (asynchronous; bounded by count). */
function denials(config: string, id: string, want: RegExp) {
  let r = spawnSync(SHIM_BIN, ['--openclaw-config', config, 'denials', id], { encoding: 'utf8' });
  for (let i = 0; i < 50 && !want.test(r.stdout); i++) r = spawnSync(SHIM_BIN, ['--openclaw-config', config, 'denials', id], { encoding: 'utf8' });
  return r;
}

describe.skipIf(skip)('filter denials through docker are logged where the profile denies too (private dockerd, runc)', () => {
  beforeAll(async () => {
    dir = mkdtempSync('/tmp/oc-e2e-denials-');
    chmodSync(dir, 0o711);
    fixture = writeShimFixture(dir, SHIM_BIN);
    loggingConfig = join(dir, 'openclaw', 'config-logging.toml');
    copyFileSync(fixture.config, loggingConfig);
    const text = readFileSync(loggingConfig, 'utf8');
    expect(text).toMatch(/^\[agent\]$/m);
    rmSync(loggingConfig);
    appendFileSync(loggingConfig, text.replace(/^\[agent\]$/m, '[agent]\nlog_filter_denials = true'));
    let config: Record<string, unknown> = {};
    config = addDockerRuntime(config, { name: 'openclaw', binary: SHIM_BIN, profile: 'default', openclawConfig: fixture.config }).config;
    config = addDockerRuntime(config, { name: 'openclaw-logged', binary: SHIM_BIN, profile: 'default', openclawConfig: loggingConfig }).config;
    config = addDockerRuntime(config, { name: 'openclaw-smythos', binary: SHIM_BIN, profile: 'smythos-alternative', openclawConfig: fixture.config }).config;
    engines = await startEngines({ docker: true, daemonJson: config });
    docker = engines.dockerd!.docker;
    await ensureTestImage(engines.dir, engines.dockerd!);
  });

  afterAll(async () => {
    fixture?.stopAgent();
    await engines?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('default, log_filter_denials off: unshare gets EPERM, nothing is logged, and denials says how to turn it on', async () => {
    const r = await run('openclaw', 'unshare -n true');
    expect(r.stderr).toMatch(/unshare: .*Operation not permitted/);
    const d = spawnSync(SHIM_BIN, ['--openclaw-config', fixture.config, 'denials', r.id], { encoding: 'utf8' });
    expect(d.stdout).toBe('');
    expect(d.stderr).toContain(`sets log_filter_denials = true under [agent] in ${fixture.config}`);
  });

  it('default, log_filter_denials = true: unshare (Docker denies it too) is logged with default\'s defaultAction; an ordinary job runs', async () => {
    const r = await run('openclaw-logged', 'unshare -n true');
    expect(r.stderr).toMatch(/unshare: .*Operation not permitted/);
    expect(denials(loggingConfig, r.id, /unshare/).stdout).toMatch(/profile default {2}unshare {2}EPERM {2}denied by the filter \(spec\.isolation\.syscallFilter\.defaultAction\) {2}flags=CLONE_NEWNET/);
    const ok = await run('openclaw-logged', 'echo hi > /tmp/x && cat /tmp/x && ls / >/dev/null');
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.stdout).toBe('hi\n');
  });

  it('smythos-alternative: a blacklisted call Docker also denies (unshare) is logged with its blacklist entry', async () => {
    // The entrypoint itself (exec-once: a shell could not exec unshare).
    const r = await run('openclaw-smythos', ['unshare', '-n', 'true']);
    expect(r.stderr).toMatch(/unshare: .*Operation not permitted/);
    expect(denials(fixture.config, r.id, /unshare/).stdout).toMatch(/profile smythos-alternative {2}unshare {2}EPERM {2}denied by the filter \(spec\.isolation\.syscallFilter\.blacklist\[\d+\]\)/);
  });
});
