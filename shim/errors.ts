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
