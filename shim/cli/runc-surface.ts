/**
 * runc's command-line surface, declared once. Sources: runc(8) and runc-create(8),
 * runc-run(8) from runc 1.1 (man/ in the runc repository), whose parser is urfave/cli v1 on
 * Go's flag package: `-flag`, `--flag`, `--flag=value` and `--flag value` are equivalent,
 * booleans take no separate value (`--debug=false` is allowed), and parsing stops at the first
 * argument that is not a flag.
 *
 * The shim parses only what it must: the global flags (so it can find the command and take
 * out its own flags) and the flags of the commands it intercepts (create, run). Everything
 * else is handed to runc exactly as given.
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
  { name: 'profile', takesValue: true },
  { name: 'openclaw-config', takesValue: true },
];

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

/** Commands whose spec the shim rewrites before runc sees it. */
export const INTERCEPTED_COMMANDS = new Set(['create', 'run']);
