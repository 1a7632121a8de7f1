/**
 * `openclaw-runtime [--profile P] merge [--diff] [--bundle DIR] [ID]`: prints the
 * config.json that `create` would write (or, with --diff, what it changes), and the host
 * actions it would take, without writing or running anything. For profile authors and the
 * README's demo.
 */
import { diffSpecs, formatChanges } from '../oci/diff.js';
import { resolve } from 'node:path';
import { parseCommandArgs } from '../cli/command-args.js';
import { MERGE_SPEC } from './specs.js';
import { runPipeline } from '../pipeline.js';
import { serializeSpec } from '../oci/bundle.js';
import type { CommandHandler } from './types.js';

export const mergeCommand: CommandHandler = async ({ argv, cwd, env }) => {
  const parsed = parseCommandArgs(MERGE_SPEC, argv.commandArgs);
  if (parsed.help) {
    process.stdout.write(parsed.text);
    return 0;
  }
  const diff = parsed.values.diff === true;
  const bundleArg = parsed.values.bundle;
  // As runc create: relative to the current directory, which is also the default.
  const args = { bundle: bundleArg ? resolve(cwd, bundleArg) : cwd, containerId: parsed.positionals[0] };
  const result = await runPipeline({
    profileFlag: argv.shim.profile,
    configFlag: argv.shim.openclawConfig,
    env,
    cwd,
    bundle: args.bundle,
    containerId: args.containerId ?? 'dry-run',
    runcRoot: argv.globals.root,
  });
  if (diff) {
    const changes = diffSpecs(result.spec.spec, result.merged.spec);
    process.stdout.write(`${changes.length} changes to ${result.spec.path}:\n${formatChanges(changes)}\n`);
  } else {
    process.stdout.write(serializeSpec(result.merged.spec));
  }
  process.stderr.write(
    `openclaw-runtime: profile ${result.profile.profile.metadata.name} (${result.profile.path}, chosen by ${result.choice.source})` +
      (result.merged.hostActions.length ? `; host actions: ${JSON.stringify(result.merged.hostActions)}` : '') +
      '\n',
  );
  return 0;
};
