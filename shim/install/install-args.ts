/**
 * Command line of `install` / `uninstall`: `openclaw-runtime install ENGINE [flags]`.
 * One table of flags; each engine says which of them it accepts.
 */
import { commandSpec, helpText, parseCommandArgs, type OptionSpec } from '../cli/command-args.js';
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

/** Every flag of install/uninstall; ENGINE_FLAGS says which engine takes which. */
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

export const ENGINE_NAMES: readonly string[] = Object.keys(ENGINE_FLAGS);

/** One line per engine: the flags it takes for this action. */
export function engineFlagLines(action: 'install' | 'uninstall'): string[] {
  return Object.entries(ENGINE_FLAGS).map(([engine, sets]) => `  ${engine}: ${sets[action].map((f) => `--${f}`).join(' ')}`);
}

/** `uninstall --all`: everything install and run created (install/uninstall-all.ts). */
export const UNINSTALL_ALL_SPEC = commandSpec({
  name: 'uninstall --all',
  summary: 'list, then remove, what install and running containers created: engine registrations of this package, the agent and the service (stopped), state, cache, logs',
  positionals: { min: 0, max: 0 },
  options: {
    all: { type: 'boolean', help: 'this mode (required)' },
    'dry-run': { type: 'boolean', help: 'list only; change nothing' },
    jobs: { type: 'boolean', help: 'also remove the job directories ([jobs] dir): users\' output, kept by default' },
    'docker-config': { type: 'string', value: 'FILE', help: `daemon.json (default /etc/docker/daemon.json)` },
    'containerd-config': { type: 'string', value: 'FILE', help: 'containerd config.toml (default /etc/containerd/config.toml, and its imports)' },
    'podman-config': { type: 'string', value: 'FILE', help: 'containers.conf (default /etc/containers/containers.conf)' },
    'launcher-dir': { type: 'string', value: 'DIR', help: 'generated launchers (default /usr/local/lib/openclaw/runtimes)' },
    'systemd-dropin': { type: 'string', value: 'FILE', help: 'containerd drop-in written by install (default /etc/systemd/system/containerd.service.d/openclaw.conf)' },
    pidfile: { type: 'string', value: 'FILE', help: 'dockerd pidfile for the reload (default /var/run/docker.pid)' },
  },
  details:
    'Paths of the state, jobs, agent socket and logs come from the openclaw config (--openclaw-config before the command).\nRefused, with nothing changed, while containers still run under openclaw. Kept: /etc/openclaw and the package.',
});

/** `install --help`, `uninstall --help`: every flag, and which engine takes which. */
export function installSpec(action: 'install' | 'uninstall') {
  return commandSpec({
    name: action,
    summary: action === 'install' ? 'register openclaw-runtime with a container engine (as nvidia-ctk runtime configure)' : 'remove what install registered',
    args: 'ENGINE',
    positionals: { min: 1, max: 1 },
    options: INSTALL_FLAGS,
    details: `ENGINE is one of ${ENGINE_NAMES.join(', ')}; each takes only some of the flags:\n${engineFlagLines(action).join('\n')}${action === 'uninstall' ? '\n`uninstall --all [--dry-run] [--jobs]` removes everything install and run created (uninstall --all --help).' : ''}`,
  });
}

/** The spec of `ACTION ENGINE`: only that engine's flags. */
function engineSpec(action: 'install' | 'uninstall', engine: string, allowed: readonly FlagName[]) {
  return commandSpec({
    name: `${action} ${engine}`,
    summary: action === 'install' ? `register openclaw-runtime with ${engine}` : `remove what install ${engine} registered`,
    positionals: { min: 0, max: 0 },
    options: Object.fromEntries(allowed.map((f) => [f, INSTALL_FLAGS[f]])) as Partial<typeof INSTALL_FLAGS>,
  });
}

/** `{ help }` when --help was asked for (`install --help`, `install docker --help`). */
export function parseInstallArgs(action: 'install' | 'uninstall', args: readonly string[]): { engine: string; flags: InstallFlags; help?: undefined } | { help: string } {
  const [engine, ...rest] = args;
  const sets = engine === undefined ? undefined : ENGINE_FLAGS[engine];
  if (!sets) {
    if (engine === '--help' || engine === '-h') return { help: helpText(installSpec(action)) };
    throw new OpenclawError('install', engine === undefined ? 'no engine named' : `unknown engine "${engine}"`, {
      fix: `name one of: ${ENGINE_NAMES.join(', ')} (openclaw-runtime ${action} --help lists their flags)`,
    });
  }
  const parsed = parseCommandArgs(engineSpec(action, engine as string, sets[action]), rest);
  if (parsed.help) return { help: parsed.text };
  const values = parsed.values as Record<string, string | boolean | undefined>;
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
