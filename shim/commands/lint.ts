/**
 * `openclaw-runtime lint [--json] [PROFILE...]`: loads and compiles each profile (a name from
 * the profile directories or a path, default: the config's default profile) and prints the
 * warnings of shim/lint/rules.ts, one per line:
 *   PROFILE_FILE: FIELD: warning OCnnn: REASON (fix: FIX)
 * Exit 0 when no profile has a warning, 1 when some has, 2 when one cannot be loaded.
 */
import { parseCommandArgs } from '../cli/command-args.js';
import { LINT_SPEC } from './specs.js';
import { loadConfig } from '../config/load.js';
import { isOpenclawError } from '../errors.js';
import { readProfileFile } from '../profile/load.js';
import { selectProfile } from '../profile/select.js';
import { compileProfileSeccomp } from '../profile/compile-profile.js';
import { compileInputsOf } from '../profile/compile-inputs.js';
import { lintProfile, type LintResult } from '../lint/rules.js';
import type { CommandHandler } from './types.js';

export const lintCommand: CommandHandler = async ({ argv, cwd, env }) => {
  const parsed = parseCommandArgs(LINT_SPEC, argv.commandArgs);
  if (parsed.help) {
    process.stdout.write(parsed.text);
    return 0;
  }
  const { values, positionals } = parsed;
  const { config, path: configPath } = await loadConfig(argv.shim.openclawConfig, env);
  const names = positionals.length > 0 ? positionals : [config.profiles.default];
  let worst = 0;
  for (const name of names) {
    let result: LintResult;
    let file = name;
    let profileName = name;
    try {
      const choice = selectProfile({ flag: name, spec: {}, config, configPath, cwd });
      const loaded = readProfileFile(choice.path);
      file = loaded.path;
      profileName = loaded.profile.metadata.name;
      result = lintProfile({ profile: loaded, seccomp: compileProfileSeccomp(loaded, compileInputsOf(config), { ignoreAudit: true })?.spec });
    } catch (err) {
      process.stdout.write(`error ${name}: ${isOpenclawError(err) ? err.message : String(err)}\n`);
      worst = 2;
      continue;
    }
    const { warnings, accepted, staleAccepts } = result;
    if (warnings.length > 0 || staleAccepts.length > 0) worst = Math.max(worst, 1);
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ profile: profileName, file, warnings, accepted, staleAccepts })}\n`);
      continue;
    }
    for (const w of warnings) process.stdout.write(`${file}: ${w.field}: warning ${w.id}: ${w.reason} (fix: ${w.fix})\n`);
    for (const id of staleAccepts) process.stdout.write(`${file}: metadata.acceptedWarnings: warning: ${id} is accepted but no longer raised (fix: remove the entry)\n`);
    for (const w of accepted) process.stdout.write(`${file}: ${w.field}: accepted ${w.id}: ${w.acceptedBecause}\n`);
    if (warnings.length === 0 && staleAccepts.length === 0) process.stdout.write(`ok ${profileName} ${file}: no warnings${accepted.length ? ` (${accepted.length} accepted)` : ''}\n`);
  }
  return worst;
};
