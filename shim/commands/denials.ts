/**
 * `openclaw-runtime denials [ID] [--summary] [--log PATH]`: prints the seccomp agent's denial
 * log (config agent.denial_log, with its rotated files FILE.N .. FILE.1 first) readably, all
 * containers or those whose id starts with ID, each with the profile field that denied the
 * call and a hint for widening it; `--summary` groups one container's denials by call.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { constants } from 'node:os';
import { configPathFor, loadConfig } from '../config/load.js';
import { OpenclawError } from '../errors.js';
import { parseDenials, readDenialLogText } from '../agent/denial-log.js';
import { unloggedNote, formatEntry, formatSummary, type ReportContext } from '../agent/denial-report.js';
import { profileDirectories } from '../profile/select.js';
import type { RuntimeConfig } from '../config/schema.js';
import { parseCommandArgs } from '../cli/command-args.js';
import { DENIALS_SPEC } from './specs.js';
import type { CommandHandler } from './types.js';

const ERRNO_NAMES: Record<number, string> = Object.fromEntries(Object.entries(constants.errno).map(([name, n]) => [n, name]));

/** A profile name as the agent logged it -> its file, the way profile selection resolves names. */
function profileFileResolver(config: RuntimeConfig | undefined): (profile: string) => string {
  const cache = new Map<string, string>();
  return (profile) => {
    const hit = cache.get(profile);
    if (hit !== undefined) return hit;
    let file = `profile ${profile}`;
    if (config && /^[A-Za-z0-9._-]+$/.test(profile)) {
      for (const dir of profileDirectories(config)) {
        const found = ['.yaml', '.yml'].map((ext) => join(dir, profile + ext)).find((p) => existsSync(p));
        if (found) {
          file = found;
          break;
        }
      }
    }
    cache.set(profile, file);
    return file;
  };
}

export const denialsCommand: CommandHandler = async ({ argv, env }) => {
  const parsed = parseCommandArgs(DENIALS_SPEC, argv.commandArgs);
  if (parsed.help) {
    process.stdout.write(parsed.text);
    return 0;
  }
  const file = parsed.values.log;
  const id = parsed.positionals[0];
  const summary = parsed.values.summary === true;
  if (summary && id === undefined) throw new OpenclawError('cli', 'denials --summary needs a container id', { fix: 'openclaw-runtime denials --summary ID' });
  // The config names the log and the profile directories (for the files hints name); with
  // --log an unreadable config only costs the file names.
  const loaded = await loadConfig(argv.shim.openclawConfig, env).then(
    (c) => c,
    (e: unknown) => {
      if (file === undefined) throw e;
      return undefined;
    },
  );
  const config = loaded?.config;
  const note = unloggedNote(config?.agent.log_filter_denials === true, loaded?.path ?? configPathFor(argv.shim.openclawConfig, env).path);
  const path = file ?? (config as RuntimeConfig).agent.denial_log;
  const ctx: ReportContext = { errnoName: (n) => ERRNO_NAMES[n] ?? `errno ${n}`, profileFile: profileFileResolver(config) };
  let text: string;
  try {
    text = readDenialLogText(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      process.stderr.write(`no denials logged (${path} does not exist)\n${note}\n`);
      return 0;
    }
    throw new OpenclawError('agent', `cannot read the denial log: ${(e as Error).message}`, { file: path, fix: 'run as root' });
  }
  const entries = parseDenials(text).filter((e) => id === undefined || e.container.startsWith(id));
  if (entries.length === 0) {
    process.stderr.write(`no denials${id ? ` for ${id}` : ''} in ${path}\n${note}\n`);
    return 0;
  }
  if (summary) {
    const ids = [...new Set(entries.map((e) => e.container))];
    for (const c of ids) process.stdout.write(`${formatSummary(c, entries.filter((e) => e.container === c), ctx)}\n`);
    return 0;
  }
  for (const e of entries) process.stdout.write(`${formatEntry(e, ctx)}\n`);
  return 0;
};
