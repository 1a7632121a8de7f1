/**
 * `openclaw-runtime [--profile P] merge [--bundle DIR] [ID]`: prints the config.json that
 * `create` would write, and the host actions it would take, without writing or running
 * anything. For profile authors and for the README's demo.
 */
import { parseCreateArgs } from '../cli/argv.js';
import { runPipeline } from '../pipeline.js';
import { serializeSpec } from '../spec/io.js';
import type { CommandHandler } from './index.js';

export const mergeCommand: CommandHandler = async ({ argv, cwd, env }) => {
  const args = parseCreateArgs('create', argv.commandArgs, cwd);
  const result = runPipeline({
    profileFlag: argv.shim.profile,
    configFlag: argv.shim.openclawConfig,
    env,
    cwd,
    bundle: args.bundle,
    containerId: args.containerId ?? 'dry-run',
  });
  process.stdout.write(serializeSpec(result.merged.spec));
  process.stderr.write(
    `openclaw-runtime: profile ${result.profile.profile.metadata.name} (${result.profile.path}, chosen by ${result.choice.source})` +
      (result.merged.hostActions.length ? `; host actions: ${JSON.stringify(result.merged.hostActions)}` : '') +
      '\n',
  );
  return 0;
};
