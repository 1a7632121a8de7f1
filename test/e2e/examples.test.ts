/**
 * The files under examples/ are what they claim: the installer's own output, read back by
 * the engines, and (the AI-agent daemon) a dockerd whose default runtime is openclaw runs a
 * container with the default profile when no --runtime is given.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import TOML from '@iarna/toml';
import { parse as parseYaml } from 'yaml';
import { cmd, missingPrerequisite, REPO, SHIM_BIN, startEngines, type Engines } from '../helpers/daemons.js';
import { ensureTestImage, TEST_IMAGE, VERIFIER } from '../helpers/images.js';
import { checkFacts, parseFacts, PROFILE_EXPECTATIONS } from './expectations.js';

const EX = join(REPO, 'examples');
const EXAMPLE_BIN = '/usr/local/lib/node_modules/openclaw-runtime/bin/openclaw-runtime';
const read = (p: string) => readFileSync(join(EX, p), 'utf8');

describe('examples match the installer', () => {
  it('docker/daemon.json: each runtime is what `install docker --dry-run` writes for it', async () => {
    const example = JSON.parse(read('docker/daemon.json')) as { runtimes: Record<string, { runtimeArgs: string[] }> };
    for (const [name, entry] of Object.entries(example.runtimes)) {
      const profile = entry.runtimeArgs[entry.runtimeArgs.indexOf('--profile') + 1]!;
      const r = await cmd(SHIM_BIN, ['install', 'docker', '--config', '/nonexistent/daemon.json', '--name', name, '--profile', profile, '--binary', EXAMPLE_BIN, '--dry-run']);
      expect(r.exitCode, r.stderr).toBe(0);
      expect((JSON.parse(r.stdout) as { runtimes: Record<string, unknown> }).runtimes[name]).toEqual(entry);
      expect(readFileSync(join(REPO, 'profiles', `${profile}.yaml`), 'utf8')).toContain(`name: ${profile}`);
    }
  });

  it('containerd/config.toml is what `install containerd --dry-run` writes on an empty config', async () => {
    const r = await cmd(SHIM_BIN, ['install', 'containerd', '--config', '/nonexistent/config.toml', '--binary', EXAMPLE_BIN, '--dry-run']);
    expect(r.exitCode, r.stderr).toBe(0);
    const generated = TOML.parse(r.stdout.split('\n').slice(1).join('\n'));
    expect(TOML.parse(read('containerd/config.toml'))).toEqual(generated);
  });

  it.skipIf(missingPrerequisite(['containerd']))('containerd/config.toml is read back by `containerd config dump`', async () => {
    const dump = await cmd('containerd', ['--config', join(EX, 'containerd/config.toml'), 'config', 'dump']);
    expect(dump.exitCode, dump.stderr).toBe(0);
    expect(dump.stdout).toContain(`BinaryName = "${EXAMPLE_BIN}"`);
    const section = dump.stdout.split('[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.openclaw]')[1] ?? '';
    expect(section).toMatch(/pod_annotations = \["org\.openclaw\.\*"\]/);
  });

  it('kubernetes/: the RuntimeClass handler is the installer\'s runtime name and the Pod selects a shipped profile', () => {
    const rc = parseYaml(read('kubernetes/runtimeclass.yaml')) as { kind: string; handler: string; metadata: { name: string } };
    const pod = parseYaml(read('kubernetes/pod.yaml')) as { spec: { runtimeClassName: string }; metadata: { annotations: Record<string, string> } };
    expect(rc.kind).toBe('RuntimeClass');
    expect(rc.handler).toBe('openclaw');
    expect(pod.spec.runtimeClassName).toBe(rc.metadata.name);
    const profile = pod.metadata.annotations['org.openclaw.profile']!;
    expect(PROFILE_EXPECTATIONS.map((p) => p.profile)).toContain(profile);
  });
});

const skip = missingPrerequisite();
describe.skipIf(skip)('ai-agent-sandbox/daemon.json: openclaw as the default runtime (private dockerd)', () => {
  let engines: Engines | undefined;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync('/tmp/oc-e2e-shim-');
    chmodSync(dir, 0o711);
    const config = JSON.parse(read('ai-agent-sandbox/daemon.json')) as { runtimes: Record<string, { path: string }> };
    for (const r of Object.values(config.runtimes)) r.path = SHIM_BIN;
    engines = await startEngines({ docker: true, daemonJson: config });
    await ensureTestImage(engines.dir, engines.dockerd!);
  });
  afterAll(async () => {
    await engines?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a container started without --runtime gets the default profile', async () => {
    const r = await engines!.dockerd!.docker(['run', '--rm', '--network', 'none', TEST_IMAGE, '/bin/sh', VERIFIER], { timeout: 60_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    const def = PROFILE_EXPECTATIONS.find((p) => p.profile === 'default')!;
    expect(checkFacts(parseFacts(r.stdout), def.facts), r.stdout).toEqual([]);
  });
});
