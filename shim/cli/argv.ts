/**
 * Splits a runtime command line into: the shim's own flags, runc's global flags, the
 * command, and the command's arguments; and rebuilds the argv runc must get (ours removed,
 * everything else byte for byte in order).
 */
import { OpenclawError } from '../errors.js';
import {
  type FlagSpec,
  RUNC_GLOBAL_FLAGS,
  SHIM_GLOBAL_FLAGS,
  RUNC_CREATE_FLAGS,
  RUNC_RUN_FLAGS,
  RUNC_DELETE_FLAGS,
  RUNC_EXEC_FLAGS,
} from './runc-surface.js';

export interface ShimFlags {
  profile?: string;
  openclawConfig?: string;
}

export interface RuncGlobals {
  debug: boolean;
  log?: string;
  logFormat?: string;
  root?: string;
  /** --help / -h given (and not =false). */
  help: boolean;
  /** --version / -v given (and not =false). */
  version: boolean;
}

export interface ParsedArgv {
  shim: ShimFlags;
  globals: RuncGlobals;
  /** The subcommand (create, state, ...) or undefined for bare `--version`, `--help`, or nothing. */
  command?: string;
  /** Arguments after the command, untouched. */
  commandArgs: string[];
  /** The argv to hand to runc: the input minus the shim's flags. */
  runcArgv: string[];
  /**
   * The command's --preserve-fds (create, run, exec: the only commands runc and crun give it),
   * read with that command's flag table; 0 when absent. The fds runc passes on (inheritedFds).
   */
  preserveFds: number;
}

interface FlagMatch {
  spec: FlagSpec;
  /** Value given inline as --flag=value. */
  inlineValue?: string;
}

/** Matches `-x`, `--x`, `-x=v`, `--x=v` against a flag table (Go flag package rules). */
function matchFlag(arg: string, table: readonly FlagSpec[]): FlagMatch | undefined {
  if (!arg.startsWith('-') || arg === '-' || arg === '--') return undefined;
  const body = arg.replace(/^--?/, '');
  const eq = body.indexOf('=');
  const name = eq === -1 ? body : body.slice(0, eq);
  const spec = table.find((f) => f.name === name || f.alias === name);
  if (!spec) return undefined;
  return eq === -1 ? { spec } : { spec, inlineValue: body.slice(eq + 1) };
}

function isBoolTrue(inline: string | undefined): boolean {
  return inline === undefined || !/^(false|0|f|F|FALSE|False)$/.test(inline);
}

export function parseArgv(argv: readonly string[]): ParsedArgv {
  const shim: ShimFlags = {};
  const globals: RuncGlobals = { debug: false, help: false, version: false };
  const runcArgv: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      runcArgv.push(arg);
      i++;
      break;
    }
    const own = matchFlag(arg, SHIM_GLOBAL_FLAGS);
    if (own) {
      let value = own.inlineValue;
      if (value === undefined) {
        value = argv[i + 1];
        if (value === undefined) {
          throw new OpenclawError('cli', `flag --${own.spec.name} needs a value`, {
            fix: `pass --${own.spec.name} VALUE before the command`,
          });
        }
        i++;
      }
      if (own.spec.name === 'profile') shim.profile = value;
      else shim.openclawConfig = value;
      continue;
    }
    const g = matchFlag(arg, RUNC_GLOBAL_FLAGS);
    if (!g) {
      if (arg.startsWith('-')) {
        // Unknown global flag: runc will report it; keep it and stop looking for ours.
        runcArgv.push(arg);
        continue;
      }
      break;
    }
    runcArgv.push(arg);
    let value = g.inlineValue;
    if (g.spec.takesValue && value === undefined) {
      value = argv[i + 1];
      if (value !== undefined) {
        runcArgv.push(value);
        i++;
      }
    }
    switch (g.spec.name) {
      case 'debug':
        globals.debug = isBoolTrue(g.inlineValue);
        break;
      case 'log':
        globals.log = value;
        break;
      case 'log-format':
        globals.logFormat = value;
        break;
      case 'root':
        globals.root = value;
        break;
      case 'help':
        globals.help = isBoolTrue(g.inlineValue);
        break;
      case 'version':
        globals.version = isBoolTrue(g.inlineValue);
        break;
      default:
        break;
    }
  }
  const command = argv[i];
  const commandArgs = argv.slice(i + 1);
  if (command !== undefined) runcArgv.push(command, ...commandArgs);
  return { shim, globals, command, commandArgs, runcArgv, preserveFds: preserveFdsOf(command, commandArgs) };
}

export interface CreateArgs {
  bundle: string;
  containerId?: string;
  pidFile?: string;
  consoleSocket?: string;
  detach: boolean;
}

function parseCommandFlags(
  args: readonly string[],
  table: readonly FlagSpec[],
): { values: Map<string, string | true>; positional: string[] } {
  const values = new Map<string, string | true>();
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      i++;
      break;
    }
    const m = matchFlag(arg, table);
    if (!m) break; // Go's flag package stops at the first non-flag (and runc reports unknown flags)
    if (m.spec.takesValue) {
      let value = m.inlineValue;
      if (value === undefined) {
        value = args[i + 1];
        if (value === undefined) break;
        i++;
      }
      values.set(m.spec.name, value);
    } else if (isBoolTrue(m.inlineValue)) {
      values.set(m.spec.name, true);
    }
  }
  return { values, positional: args.slice(i) };
}

/** Reads `create`/`run` arguments: the bundle defaults to the current directory, as in runc. */
export function parseCreateArgs(command: 'create' | 'run', args: readonly string[], cwd: string): CreateArgs {
  const { values, positional } = parseCommandFlags(args, command === 'run' ? RUNC_RUN_FLAGS : RUNC_CREATE_FLAGS);
  const str = (k: string): string | undefined => {
    const v = values.get(k);
    return typeof v === 'string' ? v : undefined;
  };
  const bundleArg = str('bundle');
  const bundle = bundleArg === undefined || bundleArg === '' ? cwd : bundleArg.startsWith('/') ? bundleArg : `${cwd}/${bundleArg}`;
  return {
    bundle,
    containerId: positional[0],
    pidFile: str('pid-file'),
    consoleSocket: str('console-socket'),
    detach: values.get('detach') === true,
  };
}

/** The commands that take --preserve-fds, with their flag tables. */
const PRESERVE_FDS_FLAGS: Record<string, readonly FlagSpec[]> = {
  create: RUNC_CREATE_FLAGS,
  run: RUNC_RUN_FLAGS,
  exec: RUNC_EXEC_FLAGS,
};

function preserveFdsOf(command: string | undefined, args: readonly string[]): number {
  const table = command !== undefined && Object.hasOwn(PRESERVE_FDS_FLAGS, command) ? PRESERVE_FDS_FLAGS[command] : undefined;
  const value = table === undefined ? undefined : parseCommandFlags(args, table).values.get('preserve-fds');
  // As runc: a count; anything else (absent, negative, not a number) preserves none.
  const n = typeof value === 'string' ? Number.parseInt(value, 10) : 0;
  return Number.isFinite(n) && n > 0 ? n : 0;
}

/** The runc commands the shim wraps, with their flag tables (for `--help`). */
const WRAPPED_FLAGS: Record<string, readonly FlagSpec[]> = {
  create: RUNC_CREATE_FLAGS,
  run: RUNC_RUN_FLAGS,
  exec: RUNC_EXEC_FLAGS,
  delete: RUNC_DELETE_FLAGS,
  features: [{ name: 'help', alias: 'h', takesValue: false }],
};

/**
 * `create --help` and the like: a wrapped runc command asked for its help (Go flag rules, before
 * the first argument that is not a flag). That is runc's to answer: the call passes through.
 */
export function asksRuntimeHelp(command: string | undefined, args: readonly string[]): boolean {
  const table = command !== undefined && Object.hasOwn(WRAPPED_FLAGS, command) ? WRAPPED_FLAGS[command] : undefined;
  return table !== undefined && parseCommandFlags(args, table).values.get('help') === true;
}

export function parseDeleteArgs(args: readonly string[]): { containerId?: string; force: boolean } {
  const { values, positional } = parseCommandFlags(args, RUNC_DELETE_FLAGS);
  return { containerId: positional[0], force: values.get('force') === true };
}

/** The process-role flags of `runc exec` as runc reads them (exec.go getProcess). */
export interface ExecProcessFlags {
  /** --process FILE: the whole process; runc then ignores the other process flags. */
  processFile?: string;
  cwd?: string;
  env: string[];
  /** --tty given (true or =false); undefined when absent. */
  tty?: boolean;
  user?: string;
  additionalGids: string[];
  processLabel?: string;
  apparmor?: string;
  /** --no-new-privs given (true or =false); undefined when absent. */
  noNewPrivs?: boolean;
  caps: string[];
}

export interface ExecArgs {
  process: ExecProcessFlags;
  /** The runner-role flags exactly as given, in order, for runc. */
  runnerArgv: string[];
  help: boolean;
  containerId?: string;
  /** The command after the container id (the flag form); empty with --process. */
  command: string[];
}

const GO_BOOL: Record<string, boolean> = { 1: true, t: true, T: true, TRUE: true, true: true, True: true, 0: false, f: false, F: false, FALSE: false, false: false, False: false };

/**
 * Reads `runc exec` arguments the way runc 1.1.5 does (urfave/cli v1 on Go's flag package,
 * SkipArgReorder): flags up to the first non-flag (or `--`), which is the container id;
 * everything after it is the command. A flag runc-surface.ts does not list is refused: the
 * shim cannot clamp a process whose meaning it does not know.
 */
export function parseExecArgs(args: readonly string[]): ExecArgs {
  const proc: ExecProcessFlags = { env: [], additionalGids: [], caps: [] };
  const runnerArgv: string[] = [];
  let help = false;
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    const m = matchFlag(arg, RUNC_EXEC_FLAGS);
    const spec = m && RUNC_EXEC_FLAGS.find((f) => f.name === m.spec.name);
    if (!m || !spec) {
      throw new OpenclawError('cli', `runc exec flag ${arg} is not one openclaw-runtime knows, so it cannot keep the exec'd process inside the profile`, {
        fix: `leave the flag out, or pass the whole process with --process FILE (known flags: ${RUNC_EXEC_FLAGS.map((f) => `--${f.name}`).join(' ')})`,
      });
    }
    let value: string | undefined = m.inlineValue;
    let bool: boolean | undefined;
    const tokens = [arg];
    if (spec.takesValue) {
      if (value === undefined) {
        value = args[i + 1];
        if (value === undefined) {
          throw new OpenclawError('cli', `runc exec flag --${spec.name} needs a value`, { fix: `pass --${spec.name} VALUE before the container id` });
        }
        tokens.push(value);
        i++;
      }
    } else {
      bool = value === undefined ? true : GO_BOOL[value];
      if (bool === undefined) {
        throw new OpenclawError('cli', `runc exec flag --${spec.name}=${value} is not a boolean`, { fix: `write --${spec.name} or --${spec.name}=false` });
      }
    }
    if (spec.role === 'runner') {
      runnerArgv.push(...tokens); // as given: the low-level runtime (runc or crun) parses them itself
      if (spec.name === 'help' && bool) help = true;
      continue;
    }
    switch (spec.name) {
      case 'process': proc.processFile = value; break;
      case 'cwd': proc.cwd = value; break;
      case 'env': proc.env.push(value as string); break;
      case 'tty': proc.tty = bool; break;
      case 'user': proc.user = value; break;
      case 'additional-gids': proc.additionalGids.push(value as string); break;
      case 'process-label': proc.processLabel = value; break;
      case 'apparmor': proc.apparmor = value; break;
      case 'no-new-privs': proc.noNewPrivs = bool; break;
      case 'cap': proc.caps.push(value as string); break;
      default: throw new Error(`runc-surface.ts lists exec flag --${spec.name} as a process flag that argv.ts does not read`);
    }
  }
  return { process: proc, runnerArgv, help, containerId: args[i], command: args.slice(i + 1) };
}
