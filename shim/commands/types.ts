/**
 * What every command handler gets and returns. Apart from the registry (index.ts) so that a
 * command imports its own type without importing the list of commands that imports it.
 */
import type { ParsedArgv } from '../cli/argv.js';
import type { RuntimeLogTarget } from '../log.js';

export interface CommandContext {
  argv: ParsedArgv;
  cwd: string;
  env: NodeJS.ProcessEnv;
  log: RuntimeLogTarget;
}

/** Returns the process exit code. Throwing an OpenclawError reports it to the runtime log. */
export type CommandHandler = (ctx: CommandContext) => Promise<number>;
