/**
 * runc's command-line surface, declared once. Sources: runc(8) and runc-create(8),
 * runc-run(8) from runc 1.1 (man/ in the runc repository), whose parser is urfave/cli v1 on
 * Go's flag package: `-flag`, `--flag`, `--flag=value` and `--flag value` are equivalent,
 * booleans take no separate value (`--debug=false` is allowed), and parsing stops at the first
 * argument that is not a flag.
 *
 * The shim parses only what it must: the global flags (so it can find the command and take
 * out its own flags) and the flags of the commands it intercepts (create, run, exec, delete).
 * Everything else is handed to runc exactly as given.
 *
 * NOTE when adding a shim-only flag also update SHIM_GLOBAL_FLAGS users in cli/argv.ts and
 * the README's "Command line" section.
 */

export interface FlagSpec {
  /** Long name without dashes. */
  name: string;
  /** One-letter alias without dash, if any. */
  alias?: string;
  /** Whether the flag takes a value (`--root DIR`) or is a boolean switch. */
  takesValue: boolean;
  /** A value flag that may be given more than once, each adding a value (urfave/cli StringSlice). */
  repeatable?: boolean;
  /** For the shim's own flags: how the value is shown and what the flag does (`--help`). */
  value?: string;
  help?: string;
}

/** runc(8) GLOBAL OPTIONS. */
export const RUNC_GLOBAL_FLAGS: readonly FlagSpec[] = [
  { name: 'debug', takesValue: false },
  { name: 'log', takesValue: true },
  { name: 'log-format', takesValue: true },
  { name: 'root', takesValue: true },
  { name: 'criu', takesValue: true },
  { name: 'systemd-cgroup', takesValue: false },
  { name: 'rootless', takesValue: true },
  { name: 'help', alias: 'h', takesValue: false },
  { name: 'version', alias: 'v', takesValue: false },
];

/** The shim's own global flags: taken out before runc is called (Docker passes runtimeArgs first). */
export const SHIM_GLOBAL_FLAGS: readonly FlagSpec[] = [
  { name: 'profile', takesValue: true, value: 'PROFILE', help: 'the sandbox profile, a name or a path (default: the bundle\'s annotation, then the config\'s)' },
  { name: 'openclaw-config', takesValue: true, value: 'FILE', help: 'the runtime config (default: $OPENCLAW_CONFIG, then /etc/openclaw/config.toml)' },
];

/**
 * runc global flags the shim answers itself when no command follows them: `--help` lists the
 * shim's commands before runc's help, `--version` puts the shim's version before runc's.
 * With a command they are runc's (both launchers pass them through).
 */
export const SHIM_ANSWERED_GLOBAL_FLAGS: readonly string[] = ['help', 'version'];

/** runc-create(8) OPTIONS. */
export const RUNC_CREATE_FLAGS: readonly FlagSpec[] = [
  { name: 'bundle', alias: 'b', takesValue: true },
  { name: 'console-socket', takesValue: true },
  { name: 'pid-file', takesValue: true },
  { name: 'no-pivot', takesValue: false },
  { name: 'no-new-keyring', takesValue: false },
  { name: 'preserve-fds', takesValue: true },
  { name: 'help', alias: 'h', takesValue: false },
];

/** runc-run(8) OPTIONS: create's plus the foreground/detach switches. */
export const RUNC_RUN_FLAGS: readonly FlagSpec[] = [
  ...RUNC_CREATE_FLAGS,
  { name: 'detach', alias: 'd', takesValue: false },
  { name: 'keep', takesValue: false },
  { name: 'no-subreaper', takesValue: false },
];

/** runc-delete(8) OPTIONS (the shim runs host clean-up after runc deleted the container). */
export const RUNC_DELETE_FLAGS: readonly FlagSpec[] = [
  { name: 'force', alias: 'f', takesValue: false },
  { name: 'help', alias: 'h', takesValue: false },
];

/**
 * How the shim treats a runc-exec flag: `process` flags describe the exec'd process (runc
 * builds it from the bundle's config.json plus these); the shim builds that process itself,
 * clamps it to the profile and hands runc a `--process` file instead. `runner` flags say how
 * runc runs the process (terminal socket, detach, pid file, fds, sub-cgroup) and pass on as given.
 */
export type ExecFlagRole = 'process' | 'runner';

/**
 * runc-exec(8) OPTIONS (runc 1.1.5 exec.go). runc stops reading flags at the container id
 * (SkipArgReorder): everything after it is the command. A flag not listed here is refused by
 * the shim (it cannot clamp what it does not know).
 * NOTE when runc adds an exec flag, add it here with its role; shim/commands/exec.ts reads them.
 */
export const RUNC_EXEC_FLAGS: ReadonlyArray<FlagSpec & { role: ExecFlagRole }> = [
  { name: 'console-socket', takesValue: true, role: 'runner' },
  { name: 'cwd', takesValue: true, role: 'process' },
  { name: 'env', alias: 'e', takesValue: true, repeatable: true, role: 'process' },
  { name: 'tty', alias: 't', takesValue: false, role: 'process' },
  { name: 'user', alias: 'u', takesValue: true, role: 'process' },
  { name: 'additional-gids', alias: 'g', takesValue: true, repeatable: true, role: 'process' },
  { name: 'process', alias: 'p', takesValue: true, role: 'process' },
  { name: 'detach', alias: 'd', takesValue: false, role: 'runner' },
  { name: 'pid-file', takesValue: true, role: 'runner' },
  { name: 'process-label', takesValue: true, role: 'process' },
  { name: 'apparmor', takesValue: true, role: 'process' },
  { name: 'no-new-privs', takesValue: false, role: 'process' },
  { name: 'cap', alias: 'c', takesValue: true, repeatable: true, role: 'process' },
  { name: 'preserve-fds', takesValue: true, role: 'runner' },
  { name: 'cgroup', takesValue: true, repeatable: true, role: 'runner' },
  { name: 'ignore-paused', takesValue: false, role: 'runner' },
  { name: 'help', alias: 'h', takesValue: false, role: 'runner' },
];
