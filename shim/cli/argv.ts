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
  const globals: RuncGlobals = { debug: false };
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
      default:
        break;
    }
  }
  const command = argv[i];
  const commandArgs = argv.slice(i + 1);
  if (command !== undefined) runcArgv.push(command, ...commandArgs);
  return { shim, globals, command, commandArgs, runcArgv };
}

export interface CreateArgs {
  bundle: string;
  containerId?: string;
  pidFile?: string;
  consoleSocket?: string;
  preserveFds: number;
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
  const preserve = str('preserve-fds');
  const preserveFds = preserve === undefined ? 0 : Number.parseInt(preserve, 10);
  return {
    bundle,
    containerId: positional[0],
    pidFile: str('pid-file'),
    consoleSocket: str('console-socket'),
    preserveFds: Number.isFinite(preserveFds) && preserveFds > 0 ? preserveFds : 0,
    detach: values.get('detach') === true,
  };
}

export function parseDeleteArgs(args: readonly string[]): { containerId?: string; force: boolean } {
  const { values, positional } = parseCommandFlags(args, RUNC_DELETE_FLAGS);
  return { containerId: positional[0], force: values.get('force') === true };
}
