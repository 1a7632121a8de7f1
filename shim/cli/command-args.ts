/**
 * The one argument parser of the shim's own commands (merge, validate, lint, hook, agent,
 * denials, jobs, install, ...): node:util parseArgs over a table per command, and the
 * command's `--help` text generated from that same table, so usage and parser cannot drift.
 * Every command gets `-h`/`--help`. runc's own commands keep Go flag rules (cli/argv.ts).
 */
import { parseArgs } from 'node:util';
import { OpenclawError } from '../errors.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** A string option given more than once collects every value. */
  multiple?: boolean;
  /** How the value is shown in the usage (`--socket PATH`). */
  value?: string;
  help: string;
}

export interface CommandSpec<O extends Record<string, OptionSpec> = Record<string, OptionSpec>> {
  /** The words after `openclaw-runtime` (`jobs prune`). */
  name: string;
  /** How it is started, when that is not `openclaw-runtime NAME` (a daemon's own entry). */
  invocation?: string;
  /** One line: what the command does (also listed by `openclaw-runtime --help`). */
  summary: string;
  /** The positional arguments as shown in the usage (`[ID...]`, `ENGINE`). */
  args?: string;
  /** How many positional arguments it takes. */
  positionals: { min: number; max: number };
  options: O;
  /** More lines for `--help` (exit codes, formats). */
  details?: string;
}

type ValueOf<S extends OptionSpec> = S['type'] extends 'string' ? (S['multiple'] extends true ? string[] : string) : boolean;
export type OptionValues<O extends Record<string, OptionSpec>> = { [K in keyof O]?: ValueOf<O[K]> };

export type ParsedCommand<O extends Record<string, OptionSpec>> =
  | { help: true; text: string }
  | { help: false; values: OptionValues<O>; positionals: string[] };

const HELP: OptionSpec = { type: 'boolean', short: 'h', help: 'print this help and exit' };

/** `usage: openclaw-runtime NAME [--flag VALUE]... ARGS` */
export function usageLine(spec: CommandSpec): string {
  const flags = Object.entries(spec.options).map(([name, o]) => `[--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}]${o.multiple ? '...' : ''}`);
  return ['usage:', invocationOf(spec), ...flags, ...(spec.args ? [spec.args] : [])].join(' ');
}

function invocationOf(spec: CommandSpec): string {
  return spec.invocation ?? `openclaw-runtime ${spec.name}`;
}

/** The whole `--help` text. */
export function helpText(spec: CommandSpec): string {
  const rows = Object.entries({ ...spec.options, help: HELP }).map(([name, o]) => [
    `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`,
    o.help + (o.multiple ? ' (may be repeated)' : ''),
  ]);
  const width = Math.max(...rows.map(([left]) => (left as string).length));
  const lines = [usageLine(spec), `  ${spec.summary}`, '', 'options:', ...rows.map(([left, right]) => `  ${(left as string).padEnd(width)}  ${right}`)];
  if (spec.details) lines.push('', ...spec.details.replace(/\n$/, '').split('\n'));
  return `${lines.join('\n')}\n`;
}

/** Problems in the caller's words: parseArgs' own messages describe its API, not our command. */
function describe(err: Error & { code?: string }): string {
  const quoted = /'([^']*)'/.exec(err.message)?.[1];
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown flag ${quoted ?? ''}`.trimEnd();
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /does not take/.test(err.message) ? `${quoted} takes no value` : `${(quoted ?? '').replace(/^-., /, '').replace(/ <value>$/, '')} needs a value`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument "${quoted ?? ''}"`;
    default:
      return err.message;
  }
}

/**
 * Parses a shim command's arguments (those after the command word). `--help`/`-h` anywhere
 * before `--` wins and returns the help text; any other problem is an OpenclawError whose fix
 * is the usage line.
 */
export function parseCommandArgs<O extends Record<string, OptionSpec>>(spec: CommandSpec<O>, args: readonly string[]): ParsedCommand<O> {
  const fail = (problem: string): never => {
    throw new OpenclawError('cli', `${spec.name}: ${problem}`, { fix: `${usageLine(spec)} (see ${invocationOf(spec)} --help)` });
  };
  const end = args.indexOf('--');
  const beforeEnd = end === -1 ? args : args.slice(0, end);
  if (beforeEnd.includes('--help') || beforeEnd.includes('-h')) return { help: true, text: helpText(spec) };
  const options = Object.fromEntries(
    Object.entries(spec.options).map(([name, o]) => [name, { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) }]),
  );
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...args], options, strict: true, allowPositionals: true }) as typeof parsed;
  } catch (err) {
    return fail(describe(err as Error & { code?: string }));
  }
  const { positionals } = parsed;
  if (positionals.length < spec.positionals.min) fail(`missing ${spec.args ?? 'arguments'}`);
  if (positionals.length > spec.positionals.max) fail(spec.positionals.max === 0 ? `takes no arguments, got "${positionals[0]}"` : `too many arguments ("${positionals.slice(spec.positionals.max).join('" "')}")`);
  return { help: false, values: parsed.values as OptionValues<O>, positionals };
}

/** Declares a spec with its option names kept as literal types. */
export function commandSpec<const O extends Record<string, OptionSpec>>(spec: CommandSpec<O>): CommandSpec<O> {
  return spec;
}
