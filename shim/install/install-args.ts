/**
 * Command line of `install` / `uninstall`: `openclaw-runtime install ENGINE [flags]`.
 * The flags are install/flags.ts's; which engine takes which, install/engines.ts's.
 */
import { commandSpec, helpText, parseCommandArgs } from '../cli/command-args.js';
import { OpenclawError } from '../errors.js';
import { ENGINE_NAMES, ENGINES } from './engines.js';
import { INSTALL_FLAGS, type FlagName, type InstallFlags } from './flags.js';

/** One line per engine: the flags it takes for this action. */
export function engineFlagLines(action: 'install' | 'uninstall'): string[] {
  return Object.entries(ENGINES).map(([engine, e]) => `  ${engine}: ${e.flags[action].map((f) => `--${f}`).join(' ')}`);
}

/** `uninstall --all`: everything install and run created (commands/uninstall-all.ts). */
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
  const known = engine === undefined ? undefined : ENGINES[engine];
  if (!known) {
    if (engine === '--help' || engine === '-h') return { help: helpText(installSpec(action)) };
    throw new OpenclawError('install', engine === undefined ? 'no engine named' : `unknown engine "${engine}"`, {
      fix: `name one of: ${ENGINE_NAMES.join(', ')} (openclaw-runtime ${action} --help lists their flags)`,
    });
  }
  const parsed = parseCommandArgs(engineSpec(action, engine as string, known.flags[action]), rest);
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
