/** The flags of `install` and `uninstall` (every engine's), and what they parse into. */
import type { OptionSpec } from '../cli/command-args.js';

export interface InstallFlags {
  config?: string;
  name: string;
  profile?: string;
  openclawConfig?: string;
  setDefault: boolean;
  dryRun: boolean;
  binary?: string;
  pidfile?: string;
  launcherDir?: string;
  systemdDropin?: string;
}

export type FlagName = 'config' | 'name' | 'profile' | 'openclaw-config' | 'set-default' | 'dry-run' | 'binary' | 'pidfile' | 'launcher-dir' | 'systemd-dropin';

/** Every flag of install/uninstall; install/engines.ts says which engine takes which. */
export const INSTALL_FLAGS = {
  config: { type: 'string', value: 'FILE', help: "the engine's config file" },
  name: { type: 'string', value: 'NAME', help: 'runtime name (default openclaw)' },
  profile: { type: 'string', value: 'PROFILE', help: 'profile passed to the shim as --profile (docker: runtimeArgs; containerd, podman: a generated launcher)' },
  'openclaw-config': { type: 'string', value: 'FILE', help: 'openclaw config passed as --openclaw-config (docker: runtimeArgs; containerd, podman: a generated launcher)' },
  'set-default': { type: 'boolean', help: 'also make it the default runtime (docker only)' },
  'dry-run': { type: 'boolean', help: 'print the new file(s) and write nothing' },
  binary: { type: 'string', value: 'PATH', help: "runtime executable (default: this package's bin/openclaw-runtime)" },
  pidfile: { type: 'string', value: 'FILE', help: 'dockerd pidfile for the reload (default /var/run/docker.pid)' },
  'launcher-dir': { type: 'string', value: 'DIR', help: 'where per-profile launchers go (default /usr/local/lib/openclaw/runtimes)' },
  'systemd-dropin': { type: 'string', value: 'FILE', help: 'also write this systemd drop-in giving the service OPENCLAW_CONFIG (needs --openclaw-config)' },
} as const satisfies Record<FlagName, OptionSpec>;
