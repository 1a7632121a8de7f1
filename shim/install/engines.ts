/**
 * The engines `install` and `uninstall` serve, one entry each: the flags it takes (its
 * `install ENGINE --help`, and the README's "Install" lines: test/unit/structure/reminders.test.ts)
 * and its module, loaded only when that engine is named. An engine's module edits its config
 * through config-files.ts editConfigFile (dry run, backup, atomic write, notes).
 */
import type { FlagName, InstallFlags } from './flags.js';
import type { InstallOutput } from './output.js';

export type EngineAction = (flags: InstallFlags, out: InstallOutput) => number;

export interface Engine {
  flags: { install: readonly FlagName[]; uninstall: readonly FlagName[] };
  load(): Promise<{ install: EngineAction; uninstall: EngineAction }>;
}

export const ENGINES: Readonly<Record<string, Engine>> = {
  docker: {
    flags: {
      install: ['config', 'name', 'profile', 'openclaw-config', 'set-default', 'dry-run', 'binary', 'pidfile'],
      uninstall: ['config', 'name', 'dry-run', 'pidfile'],
    },
    load: async () => (await import('./docker.js')).engineActions,
  },
  containerd: {
    flags: {
      install: ['config', 'name', 'profile', 'openclaw-config', 'launcher-dir', 'systemd-dropin', 'dry-run', 'binary'],
      uninstall: ['config', 'name', 'launcher-dir', 'dry-run'],
    },
    load: async () => (await import('./containerd.js')).engineActions,
  },
  podman: {
    flags: {
      install: ['config', 'name', 'profile', 'openclaw-config', 'launcher-dir', 'dry-run', 'binary'],
      uninstall: ['config', 'name', 'launcher-dir', 'dry-run'],
    },
    load: async () => (await import('./podman.js')).engineActions,
  },
};

export const ENGINE_NAMES: readonly string[] = Object.keys(ENGINES);
