/**
 * Per-run files the e2e suites give the shim: an openclaw config whose state, agent socket
 * and logs live under the suite's temp directory (nothing under /run/openclaw or /var/log is
 * touched), and a small test profile with a host-visible writable /output bind, used to tell
 * profile selection apart (its limits differ from the default profile's).
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { stopAgent } from '../helpers/agent.js';
import { join } from 'node:path';
import { stringify } from 'yaml';

export interface ShimFixture {
  config: string;
  profilesDir: string;
  /** Host directory bound at /output by the e2e-small profile. */
  outputDir: string;
  /** A runc-compatible wrapper that adds --openclaw-config (containerd passes no runtimeArgs). */
  wrapper(name: string, extraArgs?: string[]): string;
  /** Stops the seccomp agent the shim started for this fixture, by the pid in its lock file. */
  stopAgent(): void;
}

export const SMALL_PROFILE = 'e2e-small';
export const SMALL_LIMITS = { memory: String(128 * 1024 * 1024), pids: '40' };

export function writeShimFixture(dir: string, shimBin: string, opts: { annotationProfiles?: string[] } = {}): ShimFixture {
  const base = join(dir, 'openclaw');
  const profilesDir = join(base, 'profiles');
  const outputDir = join(base, 'output');
  mkdirSync(profilesDir, { recursive: true });
  // The state dir (rootfs binds for user-namespaced profiles) must be reachable by the mapped ids.
  chmodSync(dir, 0o711);
  chmodSync(base, 0o711);
  mkdirSync(outputDir, { recursive: true, mode: 0o777 });
  const config = join(base, 'config.toml');
  const allowed = opts.annotationProfiles ?? [SMALL_PROFILE];
  writeFileSync(
    config,
    [
      '[profiles]',
      `directories = ["${profilesDir}"]`,
      'default = "default"',
      '[annotations]',
      'allow_profile_selection = true',
      `allowed_profiles = [${allowed.map((p) => JSON.stringify(p)).join(', ')}]`,
      '[state]',
      `dir = "${base}/state"`,
      '[jobs]',
      `dir = "${base}/jobs"`,
      '[agent]',
      `socket = "${base}/agent/agent.sock"`, // its own directory: the agent makes it 0700
      `denial_log = "${base}/denials.log"`,
      '[log]',
      `file = "${base}/shim.log"`,
      'level = "debug"',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(profilesDir, `${SMALL_PROFILE}.yaml`),
    stringify({
      apiVersion: 'security.openclaw.org/v1alpha1',
      kind: 'SandboxProfile',
      metadata: { name: SMALL_PROFILE, description: 'e2e: default-like, smaller limits, read-only root, /output bound from the host' },
      spec: {
        isolation: {
          namespaces: { network: 'isolated', ipc: 'isolated', uts: 'isolated', mount: 'isolated-with-bind', pid: 'isolated', user: 'inherit' },
          cgroups: { memory: '128Mi', pids: { max: 40 } },
        },
        filesystem: {
          readonlyRootfs: true,
          allowedBindMounts: [{ source: outputDir, destination: '/output', readonly: false, noexec: true }],
        },
        process: { noNewPrivileges: true, capabilities: [] },
      },
    }),
  );
  return {
    config,
    profilesDir,
    outputDir,
    wrapper(name, extraArgs = []) {
      const path = join(base, name);
      const args = ['--openclaw-config', config, ...extraArgs].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
      writeFileSync(path, `#!/bin/sh\nexec '${shimBin}' ${args} "$@"\n`, { mode: 0o755 });
      return path;
    },
    stopAgent() {
      stopAgent(join(base, 'agent', 'agent.sock'));
    },
  };
}
