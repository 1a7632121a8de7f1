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
import { pipelineInputFrom } from '../pipeline.js';
import { CREATE_EFFECTS, type CreateEffects } from './create.js';
import { serializeSpec } from '../oci/bundle.js';
import type { CommandHandler } from './types.js';
import { auditSummary } from '../merge/annotations.js';

/** `merge` is create's pipeline and nothing after it: of create's effects it may run only runPipeline. */
export function mergeCommandWith(effects: CreateEffects): CommandHandler {
  return async (ctx) => {
    const { argv, cwd } = ctx;
    const parsed = parseCommandArgs(MERGE_SPEC, argv.commandArgs);
    if (parsed.help) {
      process.stdout.write(parsed.text);
      return 0;
    }
    const diff = parsed.values.diff === true;
    const bundleArg = parsed.values.bundle;
    // As runc create: relative to the current directory, which is also the default.
    const bundle = bundleArg ? resolve(cwd, bundleArg) : cwd;
    const result = await effects.runPipeline(pipelineInputFrom(argv, { bundle, containerId: parsed.positionals[0] ?? 'dry-run' }, ctx));
    const audit = auditSummary(result.profile, result.compiledFilter?.spec);
    if (diff) {
      const changes = diffSpecs(result.spec.spec, result.merged.spec);
      // First, not only in the annotation's line: audit mode loosens, and must never go unseen.
      if (audit) process.stdout.write(`AUDIT MODE (${result.profile.path}: spec.isolation.syscallFilter.audit): ${audit}\n`);
      process.stdout.write(`${changes.length} changes to ${result.spec.path}:\n${formatChanges(changes)}\n`);
    } else {
      process.stdout.write(serializeSpec(result.merged.spec));
    }
    process.stderr.write(
      `openclaw-runtime: profile ${result.profile.profile.metadata.name} (${result.profile.path}, chosen by ${result.choice.source})` +
        (audit ? '; AUDIT MODE: syscall denials are logged, not enforced' : '') +
        (result.merged.hostActions.length ? `; host actions: ${JSON.stringify(result.merged.hostActions)}` : '') +
        '\n',
    );
    return 0;
  };
}

export const mergeCommand: CommandHandler = mergeCommandWith(CREATE_EFFECTS);
