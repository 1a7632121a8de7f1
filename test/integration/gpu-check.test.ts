/**
 * scripts/gpu-check.sh in its fake mode, as the suite can run it on any machine: the CUDA
 * driver-API probe under model-backend with the GPU given through CDI (fake nodes, a
 * stand-in libcuda.so.1 that opens /dev/nvidiactl and /dev/nvidia-uvm read-write like the real
 * driver), next to the same devices without a sandbox. On a machine with a GPU the same script
 * runs against the real driver (docs/gpu.md).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { integrationSkipReason, REPO, which } from '../helpers/bundle.js';

const skip = integrationSkipReason()
  ?? (existsSync(join(REPO, 'addon', 'build', 'Release', 'openclaw_agent.node')) ? undefined : 'the seccomp agent addon is not built (scripts/build-addon.sh)')
  ?? (which('gcc') ? undefined : 'gcc is not installed');
if (skip) console.warn(`SKIP integration/gpu-check: ${skip}`);

describe.skipIf(skip)('scripts/gpu-check.sh --fake', () => {
  it('CUDA calls work under model-backend and fork, a second exec, other write-opens and AF_INET stay denied', () => {
    const r = spawnSync('bash', [join(REPO, 'scripts', 'gpu-check.sh'), '--fake'], { encoding: 'utf8', timeout: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^PASS:/m);
    expect(r.status).toBe(0);
    const row = (k: string) => r.stdout.split('\n').find((l) => l.startsWith(`${k} `))?.trim().split(/\s+/).slice(1);
    expect(row('cuInit')).toEqual(['0', '0']);
    expect(row('roundtrip_ok')).toEqual(['1', '1']);
    expect(row('fork')).toEqual(['ALLOWED', 'denied:EPERM']);
    expect(row('exec_second')).toEqual(['ALLOWED', 'denied:EPERM']);
    expect(row('write_open')).toEqual(['ALLOWED', 'denied:EPERM']);
    expect(row('socket_inet')).toEqual(['ALLOWED', 'denied:EAFNOSUPPORT']);
  });
});
