/**
 * `openclaw-runtime validate PROFILE...`: loads each profile (a name from the profile
 * directories or a path) and compiles its seccomp filter, printing `ok NAME SHA256` or the
 * error. Exit 1 if any failed.
 */
import { loadConfig } from '../config/load.js';
import { isOpenclawError } from '../errors.js';
import { readProfileFile } from '../profile/load.js';
import { selectProfile } from '../profile/select.js';
import { compileProfileSeccomp } from '../profile/compile-profile.js';
import { compileInputsOf } from '../profile/compile-inputs.js';
import { parseCommandArgs } from '../cli/command-args.js';
import { VALIDATE_SPEC } from './specs.js';
import type { CommandHandler } from './types.js';

export const validateCommand: CommandHandler = async ({ argv, cwd, env }) => {
  const parsed = parseCommandArgs(VALIDATE_SPEC, argv.commandArgs);
  if (parsed.help) {
    process.stdout.write(parsed.text);
    return 0;
  }
  const { config, path: configPath } = await loadConfig(argv.shim.openclawConfig, env);
  const names = parsed.positionals.length > 0 ? parsed.positionals : [config.profiles.default];
  let failed = 0;
  for (const name of names) {
    try {
      const choice = selectProfile({ flag: name, spec: {}, config, configPath, cwd });
      const loaded = readProfileFile(choice.path);
      compileProfileSeccomp(loaded, compileInputsOf(config));
      // Audit mode loosens: never reported as a plain "ok".
      const audit = loaded.profile.spec.isolation.syscallFilter?.audit === true ? ' (AUDIT MODE: syscall denials are logged, not enforced)' : '';
      process.stdout.write(`ok ${loaded.profile.metadata.name} ${loaded.path} sha256:${loaded.sha256}${audit}\n`);
    } catch (err) {
      failed++;
      process.stdout.write(`error ${name}: ${isOpenclawError(err) ? err.message : String(err)}\n`);
    }
  }
  return failed === 0 ? 0 : 1;
};
