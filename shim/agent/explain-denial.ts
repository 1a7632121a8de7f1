/**
 * What denied a logged call and the smallest profile change that would allow it, for
 * `openclaw-runtime explain ID`. A log line that carries its own `rule` and `hint` (written by
 * the agent where it knows them) is taken as it is; older lines are explained from the agent's
 * `reason`, which names the one agent-side rule that fired (shim/agent/decide.ts).
 */
import { posix } from 'node:path';
import type { DenialEntry } from './denial-log.js';
import { ruleField, widenHint } from './explain.js';

export interface Explanation {
  /** The profile field that denied the call. */
  rule: string;
  /** The minimal change to that field that would allow it (and what it costs). */
  hint: string;
}

/** The path of `path="..."` in a log line's argument summary, when it was readable. */
export function pathOfArgs(args: string): string | undefined {
  const m = /(?:^|\s)path=("(?:[^"\\]|\\.)*")/.exec(args);
  if (!m) return undefined;
  try {
    const p = JSON.parse(m[1] as string) as unknown;
    return typeof p === 'string' ? p : undefined;
  } catch {
    return undefined;
  }
}

const EXEC_ONCE_RULE = 'spec.isolation.syscallFilter.blacklist (execve/execveat: exactly one exec, the entrypoint\'s)';
const WRITABLE_RULE = 'spec.filesystem.writablePaths';

/**
 * undefined for summary lines (rate limit, queue full): they explain nothing themselves.
 * `profileFile`: the logged profile's file, named in a hint (default: its name).
 */
export function explainDenial(e: DenialEntry & { rule?: unknown; hint?: unknown }, profileFile: string = e.profile): Explanation | undefined {
  if (e.suppressed !== undefined) return undefined;
  if (typeof e.rule === 'string' && typeof e.hint === 'string') return { rule: e.rule, hint: e.hint };
  // A filter denial the agent logged with its field (relative to the syscallFilter block): the
  // same hint `denials` prints, instead of the agent's bare reason.
  if (typeof e.rule === 'string') {
    const hint = widenHint({ syscall: e.syscall, rule: e.rule, reason: e.reason, args: e.args, profile: profileFile });
    return { rule: ruleField(e.rule) as string, hint: hint ?? e.reason };
  }
  const path = pathOfArgs(e.args);
  const reason = e.reason;
  if (reason === 'execve after the first execve') {
    return {
      rule: EXEC_ONCE_RULE,
      hint: `make ${path ?? 'that program'} the entrypoint, or remove ${e.syscall} from spec.isolation.syscallFilter.blacklist (the workload may then exec anything: exec-once ends, lint OC102)`,
    };
  }
  if (reason === 'write-open outside writable paths' || reason === 'write-open (no writable paths)') {
    const dir = path === undefined ? undefined : posix.dirname(path);
    return {
      rule: WRITABLE_RULE,
      hint: dir === undefined ? 'add the directory the workload writes to spec.filesystem.writablePaths' : `add ${dir} to spec.filesystem.writablePaths (or open ${path} read-only)`,
    };
  }
  if (reason.startsWith('write-open')) {
    return { rule: WRITABLE_RULE, hint: `the agent could not check the path (${reason.replace(/^write-open:?\s*/, '')}); open it by an absolute path under spec.filesystem.writablePaths` };
  }
  if (reason === 'only allowed before the first execve') {
    return {
      rule: 'spec.isolation.syscallFilter (allowed for runc\'s init only)',
      hint: `add ${e.syscall} to spec.isolation.syscallFilter.whitelist if the workload needs it (check it with openclaw-runtime lint)`,
    };
  }
  return { rule: 'spec.isolation.syscallFilter', hint: reason };
}
