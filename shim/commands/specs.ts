/**
 * The command lines of the shim's own commands, one table each (parsed and turned into
 * `--help` by cli/command-args.ts). Kept apart from the commands themselves so that
 * `openclaw-runtime --help` lists them all without loading any command's code.
 */
import { commandSpec, type CommandSpec } from '../cli/command-args.js';
import { installSpec } from '../install/install-args.js';

export const MERGE_SPEC = commandSpec({
  name: 'merge',
  summary: 'print the config.json that create would write (or what it changes), and its host actions; writes and runs nothing',
  args: '[ID]',
  positionals: { min: 0, max: 1 },
  options: {
    diff: { type: 'boolean', help: 'print the changes to the bundle\'s config.json instead of the whole merged file' },
    bundle: { type: 'string', short: 'b', value: 'DIR', help: 'the bundle (default: the current directory, as runc create)' },
  },
  details: 'The profile is chosen as create chooses it: the global --profile flag (before the command), the\nbundle\'s annotations, then the config\'s default.',
});

export const VALIDATE_SPEC = commandSpec({
  name: 'validate',
  summary: 'load each profile and compile its seccomp filter; print "ok NAME FILE sha256:..." or the error',
  args: '[PROFILE...]',
  positionals: { min: 0, max: Infinity },
  options: {},
  details: 'PROFILE is a name from the profile directories or a path; default: the configured default profile.\nexit: 0 all valid, 1 some failed',
});

export const LINT_SPEC = commandSpec({
  name: 'lint',
  summary: 'warn about profiles that are valid but defeat themselves or leave a door open (OC101-OC109)',
  args: '[PROFILE...]',
  positionals: { min: 0, max: Infinity },
  options: {
    json: { type: 'boolean', help: 'one JSON object per profile: {"profile","file","warnings":[{id,field,reason,fix}]}' },
  },
  details: 'The warnings are listed in docs/profile-reference.md. PROFILE is a name from the profile\ndirectories or a path; default: the configured default profile.\nexit: 0 no warnings, 1 warnings, 2 a profile could not be loaded',
});

export const HOOK_SPEC = commandSpec({
  name: 'hook',
  summary: 'OCI hook run by runc (the container state on stdin): poststop undoes the host set-up of a create',
  args: 'poststop',
  positionals: { min: 1, max: 1 },
  options: {
    'state-dir': { type: 'string', value: 'DIR', help: 'the shim\'s state directory (written into config.json by create)' },
  },
  details: 'The shim adds this hook to config.json itself; there is no reason to run it by hand.',
});

export const AGENT_SPEC = commandSpec({
  name: 'agent',
  summary: 'run the seccomp user-notification agent (exactly-one-exec, write-open gating) until SIGTERM',
  positionals: { min: 0, max: 0 },
  options: {
    socket: { type: 'string', value: 'PATH', help: 'absolute path of its socket (default: config agent.socket)' },
    'denial-log': { type: 'string', value: 'PATH', help: 'absolute path of the denial log (default: config agent.denial_log, re-read when the config changes)' },
    'log-file': { type: 'string', value: 'PATH', help: 'absolute path of its own log, JSON lines, rotated at 4 MiB (default: stderr)' },
  },
  details: 'create starts it on demand; examples/openclaw-seccomp-agent.service runs it under systemd.\nSIGHUP (or the next denial) re-reads a changed config: agent.denial_log and log.level apply at once.',
});

export const DENIALS_SPEC = commandSpec({
  name: 'denials',
  summary: 'print the seccomp agent\'s denial log readably (each denial with the profile field that denied it and a hint), all containers or those whose id starts with ID',
  args: '[ID]',
  positionals: { min: 0, max: 1 },
  options: {
    log: { type: 'string', value: 'PATH', help: 'the denial log (default: config agent.denial_log, with its rotated files)' },
    summary: { type: 'boolean', help: 'group the denials of container ID by call, with counts, rule and hint' },
  },
});

export const EXPLAIN_SPEC = commandSpec({
  name: 'explain',
  summary: 'for each denial the agent logged for container ID: the profile file and rule that denied it, and the change that would allow it',
  args: 'ID',
  positionals: { min: 1, max: 1 },
  options: {
    log: { type: 'string', value: 'PATH', help: 'the denial log (default: config agent.denial_log, with its rotated files)' },
  },
  details: 'ID may be a prefix of the container id, as in denials.',
});

export const JOBS_PRUNE_SPEC = commandSpec({
  name: 'jobs',
  summary: 'prune: remove the job directories of containers that are gone and ended more than DURATION ago',
  args: 'prune [ID...]',
  positionals: { min: 1, max: Infinity },
  options: {
    'older-than': { type: 'string', value: 'DURATION', help: 'e.g. 0, 30m, 24h or 7d (default: config jobs.retention)' },
  },
});

export const STATS_SPEC = commandSpec({
  name: 'stats',
  summary: 'the seccomp agent\'s and the resident service\'s counters, in the Prometheus text format (from their root-only stats sockets)',
  positionals: { min: 0, max: 0 },
  options: {
    'agent-socket': { type: 'string', value: 'PATH', help: 'the agent\'s socket (default: config agent.socket); its stats socket is PATH.stats' },
    'service-dir': { type: 'string', value: 'DIR', help: 'the service\'s directory (default: this package\'s, or OPENCLAW_SERVICE_DIR); its stats socket is DIR/stats.sock' },
  },
  details: 'agent: notifications answered, their latency (histogram), denials by profile and system call, listeners,\ncontainers and connections open now. service: requests by command and answer, their latency (create/run:\nthe merge), requests in flight. Both: config reloads. For Prometheus: run it as root into\nnode_exporter\'s textfile collector directory (e.g. every minute from a systemd timer).',
});

export const RECORD_SPEC = commandSpec({
  name: 'record',
  summary: 'run a job once, recording every system call it makes, and write the profile that runs it (syscalls, open flags and written paths, socket families, clone flags, ioctl requests, execs, binds), each rule with a comment saying where it came from',
  args: '[-- CMD... | CONTAINER]',
  positionals: { min: 0, max: Infinity },
  options: {
    bundle: { type: 'string', short: 'b', value: 'DIR', help: 'an OCI bundle (config.json + rootfs): its process.args is the job unless CMD is given; the bundle is only read' },
    image: { type: 'string', value: 'TAR', help: 'a root file system as a tar (docker export, scripts/build-python-image.sh): unpacked into the recording\'s directory, with runc spec\'s defaults' },
    rootfs: { type: 'string', value: 'DIR', help: 'a root file system directory, used read-only, with runc spec\'s defaults' },
    bind: { type: 'string', multiple: true, value: 'HOST:CONTAINER[:ro|rw]', help: 'a bind mount for the job (read-only unless :rw)' },
    out: { type: 'string', short: 'o', value: 'FILE', help: 'write the profile here (default: stdout, and the job\'s stdout goes to stderr)' },
    name: { type: 'string', value: 'NAME', help: 'metadata.name of the profile (default: recorded)' },
    runtime: { type: 'string', value: 'runc|crun', help: 'the low-level runtime (name or path; default: the config\'s runtime.candidates)' },
    engine: { type: 'string', value: 'docker', help: 'record the job of an existing container of this engine: give its name or id instead of CMD (its file system by docker export, its command, env, working dir, numeric user and bind mounts by docker inspect; the container is not started)' },
    'docker-host': { type: 'string', value: 'URL', help: 'with --engine docker: the daemon to ask (docker -H URL)' },
  },
  details: 'Root only. The job runs once under a filter that sends every call to a recorder in this process,\nwhich lets each one run (nothing is denied) and counts it; runc\'s own calls before the job starts are\nleft out. The records stay in <state.dir>/record/record-NAME-PID/records.jsonl.\nexit: 0 recorded (the profile passed the schema and the compiler), 1 the job failed (the profile is\nstill written)\nSee docs/write-your-own-profile.md.',
});

/** The resident service's own command line (shim/service-main.ts); a daemon entry, not a shim verb. */
export const SERVICE_SPEC = commandSpec({
  name: 'service',
  invocation: 'node dist/service-main.js',
  summary: 'the resident openclaw service: answers the native launcher\'s create, run, delete, features and hook calls',
  positionals: { min: 0, max: 0 },
  options: {
    dir: { type: 'string', value: 'DIR', help: 'its directory: socket, lock, records (default: $OPENCLAW_SERVICE_DIR, else one per package under /run/openclaw/service)' },
    'idle-exit-s': { type: 'string', value: 'SECONDS', help: 'exit after this long without a request (default 0: never)' },
    'log-file': { type: 'string', value: 'PATH', help: 'its log, JSON lines, rotated at 4 MiB (default: stderr, e.g. the journal)' },
  },
});

export const INSTALL_SPEC = installSpec('install');
export const UNINSTALL_SPEC = installSpec('uninstall');

/** The shim-only commands, in the order `openclaw-runtime --help` lists them. */
export const SHIM_ONLY_SPECS: readonly CommandSpec[] = [MERGE_SPEC, VALIDATE_SPEC, LINT_SPEC, RECORD_SPEC, DENIALS_SPEC, EXPLAIN_SPEC, AGENT_SPEC, STATS_SPEC, JOBS_PRUNE_SPEC, INSTALL_SPEC, UNINSTALL_SPEC, HOOK_SPEC];
