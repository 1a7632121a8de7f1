/**
 * Typed errors. Every refusal the shim makes is an OpenclawError: it names the file it
 * concerns, the field (a dotted path inside that file) and the fix, because Docker and
 * containerd show users only the one `msg` line we write to runc's --log file.
 */
export type ErrorModule =
  | 'cli'
  | 'config'
  | 'profile'
  | 'spec'
  | 'merge'
  | 'seccomp'
  | 'host'
  | 'runtime'
  | 'agent'
  | 'service'
  | 'install';

export interface ErrorDetails {
  /** The file the problem is in (profile, config.toml, config.json, ...). */
  file?: string;
  /** Dotted field path inside that file, e.g. `spec.isolation.cgroups.memory`. */
  field?: string;
  /** What the user should do about it, one sentence. */
  fix?: string;
  cause?: unknown;
}

export class OpenclawError extends Error {
  readonly module: ErrorModule;
  readonly file?: string;
  readonly field?: string;
  readonly fix?: string;
  /** The problem alone, without file/field/fix decoration. */
  readonly problem: string;

  constructor(module: ErrorModule, problem: string, details: ErrorDetails = {}) {
    super(formatMessage(problem, details), details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'OpenclawError';
    this.module = module;
    this.problem = problem;
    this.file = details.file;
    this.field = details.field;
    this.fix = details.fix;
  }

  /** The same error pinned to a file (used when a lower layer did not know which file it read). */
  inFile(file: string): OpenclawError {
    if (this.file) return this;
    return new OpenclawError(this.module, this.problem, {
      file,
      field: this.field,
      fix: this.fix,
      cause: this.cause,
    });
  }
}

export function formatMessage(problem: string, d: ErrorDetails): string {
  const where = [d.file, d.field].filter(Boolean).join(': ');
  const head = where ? `${where}: ${problem}` : problem;
  return d.fix ? `${head} (fix: ${d.fix})` : head;
}

export function isOpenclawError(e: unknown): e is OpenclawError {
  return e instanceof OpenclawError;
}

/** Joins a path array (from zod or our own walkers) as `a.b[2].c`. */
export function fieldPath(path: ReadonlyArray<string | number | symbol>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/** The parts of a zod issue read here (errors.ts does not load zod). */
export interface SchemaIssue {
  code: string;
  path: ReadonlyArray<PropertyKey>;
  message: string;
  keys?: readonly string[];
}

export interface SchemaRefusal {
  /** Where the problem is: an unknown key's own path, else the issue's. */
  path: PropertyKey[];
  field: string;
  /** The issue is a misspelt or unknown key (strict objects). */
  unknownKey: boolean;
  problem: string;
}

/**
 * A schema's refusal (its first zod issue) in the shim's words, for the profile (profile/load.ts)
 * and the runtime config (config/load.ts) alike: an unknown key is named; with `missing:
 * 'is required'` a missing value says so (the profile: zod would say what type it expected),
 * otherwise (the config, whose required fields carry their own words) the schema's message
 * stands, as it does for anything else. `input` is what was validated.
 */
export function schemaRefusal(issue: SchemaIssue, input: unknown, opts: { missing: 'is required' | 'schema message' }): SchemaRefusal {
  const unknown = issue.code === 'unrecognized_keys' && issue.keys !== undefined && issue.keys.length > 0 ? issue.keys : undefined;
  const path = unknown ? [...issue.path, unknown[0]!] : [...issue.path];
  const problem = unknown
    ? `unknown key "${unknown.join('", "')}"`
    : opts.missing === 'is required' && issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined
      ? 'is required'
      : issue.message;
  return { path, field: fieldPath(path), unknownKey: unknown !== undefined, problem };
}

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}
