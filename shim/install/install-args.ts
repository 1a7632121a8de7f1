/**
 * Command line of `install` / `uninstall`: `openclaw-runtime install ENGINE [flags]`.
 * One table of flags; each engine says which of them it accepts.
 */
import { parseArgs } from 'node:util';
import { OpenclawError } from '../errors.js';

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

type FlagName = 'config' | 'name' | 'profile' | 'openclaw-config' | 'set-default' | 'dry-run' | 'binary' | 'pidfile' | 'launcher-dir' | 'systemd-dropin';

const FLAGS: Record<FlagName, { type: 'string' | 'boolean'; help: string }> = {
  config: { type: 'string', help: "the engine's config file" },
  name: { type: 'string', help: 'runtime name (default openclaw)' },
  profile: { type: 'string', help: 'profile passed to the shim as --profile (docker: runtimeArgs; containerd, podman: a generated launcher)' },
  'openclaw-config': { type: 'string', help: 'openclaw config passed as --openclaw-config (docker: runtimeArgs; containerd, podman: a generated launcher)' },
  'set-default': { type: 'boolean', help: 'also make it the default runtime (docker only)' },
  'dry-run': { type: 'boolean', help: 'print the new file(s) and write nothing' },
  binary: { type: 'string', help: 'runtime executable (default: this package\'s bin/openclaw-runtime)' },
  pidfile: { type: 'string', help: 'dockerd pidfile for the reload (default /var/run/docker.pid)' },
  'launcher-dir': { type: 'string', help: 'where per-profile launchers go (default /usr/local/lib/openclaw/runtimes)' },
  'systemd-dropin': { type: 'string', help: 'also write this systemd drop-in giving the service OPENCLAW_CONFIG (needs --openclaw-config)' },
};

/** Which flags each engine and action takes. NOTE when adding an engine also update ENGINES in commands/install.ts. */
export const ENGINE_FLAGS: Record<string, { install: readonly FlagName[]; uninstall: readonly FlagName[] }> = {
  docker: {
    install: ['config', 'name', 'profile', 'openclaw-config', 'set-default', 'dry-run', 'binary', 'pidfile'],
    uninstall: ['config', 'name', 'dry-run', 'pidfile'],
  },
  containerd: {
    install: ['config', 'name', 'profile', 'openclaw-config', 'launcher-dir', 'systemd-dropin', 'dry-run', 'binary'],
    uninstall: ['config', 'name', 'launcher-dir', 'dry-run'],
  },
  podman: {
    install: ['config', 'name', 'profile', 'openclaw-config', 'launcher-dir', 'dry-run', 'binary'],
    uninstall: ['config', 'name', 'launcher-dir', 'dry-run'],
  },
};

export function usage(action: 'install' | 'uninstall'): string {
  const lines = [`usage: openclaw-runtime ${action} ENGINE [flags]`];
  for (const [engine, sets] of Object.entries(ENGINE_FLAGS)) {
    lines.push(`  ${engine}: ${sets[action].map((f) => (FLAGS[f].type === 'string' ? `[--${f} VALUE]` : `[--${f}]`)).join(' ')}`);
  }
  return lines.join('\n');
}

export function parseInstallArgs(action: 'install' | 'uninstall', args: readonly string[]): { engine: string; flags: InstallFlags } {
  const [engine, ...rest] = args;
  const sets = engine === undefined ? undefined : ENGINE_FLAGS[engine];
  if (!sets) {
    throw new OpenclawError('install', engine === undefined ? 'no engine named' : `unknown engine "${engine}"`, {
      fix: `name one of: ${Object.keys(ENGINE_FLAGS).join(', ')} (${usage(action).split('\n')[0]})`,
    });
  }
  const allowed = sets[action];
  const options = Object.fromEntries(allowed.map((f) => [f, { type: FLAGS[f].type }]));
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...rest], options, strict: true, allowPositionals: false }) as { values: Record<string, string | boolean | undefined> });
  } catch (err) {
    throw new OpenclawError('install', (err as Error).message, { fix: `${action} ${engine} takes: ${allowed.map((f) => `--${f}`).join(' ')}` });
  }
  const str = (k: FlagName) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const name = str('name') ?? 'openclaw';
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) {
    throw new OpenclawError('install', `runtime name "${name}" is not usable`, { fix: 'use letters, digits, ".", "_" and "-"' });
  }
  return {
    engine: engine as string,
    flags: {
      config: str('config'),
      name,
      profile: str('profile'),
      openclawConfig: str('openclaw-config'),
      setDefault: values['set-default'] === true,
      dryRun: values['dry-run'] === true,
      binary: str('binary'),
      pidfile: str('pidfile'),
      launcherDir: str('launcher-dir'),
      systemdDropin: str('systemd-dropin'),
    },
  };
}
