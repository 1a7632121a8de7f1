/**
 * `openclaw-runtime denials [ID] [--log PATH]`: prints the seccomp agent's denial log
 * (config agent.denial_log, with its rotated files FILE.N .. FILE.1 first) readably, all
 * containers or those whose id starts with ID.
 */
import { constants } from 'node:os';
import { loadConfig } from '../config/load.js';
import { OpenclawError } from '../errors.js';
import { formatDenial, parseDenials, readDenialLogText } from '../agent/denial-log.js';
import { parseCommandArgs } from '../cli/command-args.js';
import { DENIALS_SPEC } from './specs.js';
import type { CommandHandler } from './index.js';

const ERRNO_NAMES: Record<number, string> = Object.fromEntries(Object.entries(constants.errno).map(([name, n]) => [n, name]));

export const denialsCommand: CommandHandler = async ({ argv, env }) => {
  const parsed = parseCommandArgs(DENIALS_SPEC, argv.commandArgs);
  if (parsed.help) {
    process.stdout.write(parsed.text);
    return 0;
  }
  const file = parsed.values.log;
  const id = parsed.positionals[0];
  const path = file ?? (await loadConfig(argv.shim.openclawConfig, env)).config.agent.denial_log;
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
  const entries = parseDenials(text).filter((e) => id === undefined || e.container.startsWith(id));
  for (const e of entries) process.stdout.write(`${formatDenial(e, (n) => ERRNO_NAMES[n] ?? `errno ${n}`)}\n`);
  if (entries.length === 0) process.stderr.write(`no denials${id ? ` for ${id}` : ''} in ${path}\n`);
  return 0;
};
