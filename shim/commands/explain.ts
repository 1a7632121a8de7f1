/**
 * `openclaw-runtime explain ID`: for each denial the seccomp agent logged for containers whose
 * id starts with ID, the profile file and rule that denied it (FILE:LINE: FIELD, the line from
 * profile/field-line.ts) and the minimal change that would allow it (shim/agent/explain-denial.ts).
 */
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { loadConfig } from '../config/load.js';
import { OpenclawError } from '../errors.js';
import { parseDenials, readDenialLogText, type DenialEntry } from '../agent/denial-log.js';
import { explainDenial } from '../agent/explain-denial.js';
import { parseCommandArgs } from '../cli/command-args.js';
import { EXPLAIN_SPEC } from './specs.js';
import type { CommandHandler } from './types.js';

const ERRNO_NAMES: Record<number, string> = Object.fromEntries(Object.entries(constants.errno).map(([name, n]) => [n, name]));

export const explainCommand: CommandHandler = async ({ argv, env, cwd }) => {
  const parsed = parseCommandArgs(EXPLAIN_SPEC, argv.commandArgs);
  if (parsed.help) {
    process.stdout.write(parsed.text);
    return 0;
  }
  const id = parsed.positionals[0] as string;
  const { config, path: configPath } = await loadConfig(argv.shim.openclawConfig, env);
  const path = parsed.values.log ?? config.agent.denial_log;
  let text: string;
  try {
    text = readDenialLogText(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      process.stderr.write(`no denials logged (${path} does not exist)\n`);
      return 0;
    }
    throw new OpenclawError('agent', `cannot read the denial log: ${(e as Error).message}`, { file: path, fix: 'run as root' });
  }
  const { selectProfile } = await import('../profile/select.js');
  const files = new Map<string, string>();
  /** The file of a logged profile name, as create would find it today. */
  const fileOf = (name: string): string => {
    let file = files.get(name);
    if (file === undefined) {
      try {
        file = selectProfile({ flag: name, spec: {}, config, configPath, cwd }).path;
      } catch {
        file = `profile "${name}" (no longer in the profile directories)`;
      }
      files.set(name, file);
    }
    return file;
  };
  const { fieldLine } = await import('../profile/field-line.js');
  const texts = new Map<string, string | undefined>();
  /** `FILE:LINE` of the field in the profile's file as it is now (the line of the nearest key it spells out), or just FILE. */
  const whereIs = (file: string, field: string): string => {
    if (!texts.has(file)) {
      try {
        texts.set(file, readFileSync(file, 'utf8'));
      } catch {
        texts.set(file, undefined);
      }
    }
    const text = texts.get(file);
    const line = text === undefined ? undefined : fieldLine(text, field);
    return line === undefined ? file : `${file}:${line}`;
  };
  const entries = parseDenials(text).filter((e: DenialEntry) => e.container.startsWith(id));
  for (const e of entries) {
    const x = explainDenial(e, fileOf(e.profile));
    const errno = e.action ?? ERRNO_NAMES[e.errno] ?? `errno ${e.errno}`;
    const audit = e.decision === 'audit';
    if (!x) {
      process.stdout.write(`${e.time}  ${e.container}  ${e.reason}\n`);
      continue;
    }
    process.stdout.write(
      `${e.time}  ${e.container}  pid ${e.pid}  ${e.syscall}${e.args ? ` ${e.args}` : ''}  ${errno}: ${audit ? `audit: would deny (${e.reason}); allowed` : e.reason}\n` +
        (audit
          ? `  would be denied by: ${whereIs(fileOf(e.profile), x.rule)}: ${x.rule} (audit mode: logged, not enforced)\n  to allow it once audit is off:  ${x.hint}\n`
          : `  denied by: ${whereIs(fileOf(e.profile), x.rule)}: ${x.rule}\n  to allow:  ${x.hint}\n`),
    );
  }
  if (entries.length === 0) process.stderr.write(`no denials for ${id} in ${path}\n`);
  return 0;
};
