/**
 * The commands the shim handles itself. Anything not listed goes to runc untouched.
 * Modules are imported lazily so a command loads only what it uses (this sits on every
 * container start).
 *
 * A shim-only command is also described in the README's "Command line" section
 * (test/unit/structure/reminders.test.ts checks it is); make sure runc has no command of that name.
 */
import type { CommandHandler } from './types.js';

export const SHIM_COMMANDS: Record<string, () => Promise<CommandHandler>> = {
  // runc commands the shim wraps
  create: async () => (await import('./create.js')).createCommand,
  run: async () => (await import('./create.js')).createCommand,
  exec: async () => (await import('./exec.js')).execCommand,
  delete: async () => (await import('./delete.js')).deleteCommand,
  features: async () => (await import('./features.js')).featuresCommand,
  // shim-only commands
  merge: async () => (await import('./merge.js')).mergeCommand,
  validate: async () => (await import('./validate.js')).validateCommand,
  lint: async () => (await import('./lint.js')).lintCommand,
  record: async () => (await import('./record.js')).recordCommand,
  hook: async () => (await import('./hook.js')).hookCommand,
  agent: async () => (await import('./agent.js')).agentCommand,
  denials: async () => (await import('./denials.js')).denialsCommand,
  explain: async () => (await import('./explain.js')).explainCommand,
  jobs: async () => (await import('./jobs.js')).jobsCommand,
  stats: async () => (await import('./stats.js')).statsCommand,
  install: async () => (await import('./install.js')).installCommand,
  uninstall: async () => (await import('./install.js')).uninstallCommand,
};
