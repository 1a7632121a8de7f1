/**
 * The resident service's wire format, shared by the TypeScript server and the C launcher
 * (launcher/openclaw-runtime.c reads the constants from the generated launcher/surface.h).
 * One request per connection; the client half-closes after the request, the server answers
 * and closes. Everything is bytes (argv may hold any byte but NUL), so no JSON here:
 *
 *   request:  "OCLW" NUL version NUL cwd NUL self NUL argc NUL argv[0] NUL ... envc NUL "K=V" NUL ...
 *             stdinLen NUL stdin   (stdin only for SERVICE_STDIN_COMMANDS, else length 0)
 *   response: "OCLW" NUL version NUL status NUL exit NUL runtime NUL aliasDir NUL argc NUL argv[0] NUL ...
 *             stdoutLen NUL stderrLen NUL stdout stderr
 *
 * status: "exec" (exec `runtime` with the caller's argv minus the shim's flags; stdout/stderr
 * are written first), "execv" (exec `runtime` with exactly the argv sent, argv[0] excluded:
 * `runc exec` gets the clamped process file the service wrote, not the caller's flags),
 * "exit" (write stdout/stderr, exit with `exit`), "node" (this call needs the Node path: the
 * launcher execs node with the original argv). argc is 0 except for "execv". aliasDir ("exec"
 * and "execv" only, else empty): before the exec, each of fds 0-2 that is a device node is
 * replaced by a private alias made there (host/stdio-alias.ts says why; the service decides,
 * the launcher only carries it out).
 *
 * NOTE a change to the format bumps SERVICE_PROTOCOL_VERSION: a launcher and a service that
 * disagree fall back to Node, and the service exits so that the next call starts a current one.
 */
export const SERVICE_MAGIC = 'OCLW';
export const SERVICE_PROTOCOL_VERSION = 4;
/** At most this many argv entries in an "execv" answer (runc exec's flags and the command: tens). */
export const MAX_EXEC_ARGS = 4096;
/** A request is argv + cwd + a few env entries: far below this. Larger is refused unread. */
export const MAX_REQUEST_BYTES = 256 * 1024;
/** `features` output is a few KiB; errors are one line. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;
/** The only environment entries the launcher sends (what the pipeline reads from env). */
export const SERVICE_ENV = ['PATH', 'OPENCLAW_CONFIG'] as const;
/** Commands whose standard input the launcher sends along (the poststop hook reads the container state there). */
export const SERVICE_STDIN_COMMANDS = ['hook'] as const;
/** At most this much standard input is sent (a pipe's buffer holds it, so the launcher can hand it to Node unread). */
export const MAX_STDIN_BYTES = 60 * 1024;

export interface ServiceRequest {
  version: number;
  cwd: string;
  /** The launcher's own executable (so runtime lookup on PATH skips it, as runtime-path.ts does). */
  self: string;
  argv: string[];
  env: Record<string, string>;
  /** The caller's standard input, for SERVICE_STDIN_COMMANDS. */
  stdin?: Buffer;
}

export type ServiceStatus = 'exec' | 'execv' | 'exit' | 'node';

export interface ServiceResponse {
  status: ServiceStatus;
  exit: number;
  runtime: string;
  /** "exec"/"execv" only: the directory where the launcher makes private aliases of stdio device nodes (empty: none). */
  aliasDir?: string;
  /** "execv" only: the runtime's argv, argv[0] excluded. */
  argv?: string[];
  stdout: Buffer;
  stderr: Buffer;
}

export class ProtocolError extends Error {}

function splitFields(buf: Buffer, count: number, from = 0): { fields: string[]; end: number } {
  const fields: string[] = [];
  let at = from;
  while (fields.length < count) {
    const nul = buf.indexOf(0, at);
    if (nul < 0) throw new ProtocolError('truncated message');
    fields.push(buf.subarray(at, nul).toString('utf8'));
    at = nul + 1;
  }
  return { fields, end: at };
}

function count(s: string | undefined, what: string): number {
  if (s === undefined || !/^\d{1,6}$/.test(s)) throw new ProtocolError(`bad ${what}`);
  return Number(s);
}

export function encodeRequest(r: ServiceRequest): Buffer {
  const env = Object.entries(r.env).map(([k, v]) => `${k}=${v}`);
  const stdin = r.stdin ?? Buffer.alloc(0);
  const parts = [SERVICE_MAGIC, String(r.version), r.cwd, r.self, String(r.argv.length), ...r.argv, String(env.length), ...env, String(stdin.length)];
  return Buffer.concat([Buffer.from(parts.map((p) => `${p}\0`).join(''), 'utf8'), stdin]);
}

/** Throws ProtocolError on anything malformed; a version mismatch is reported by the caller. */
export function decodeRequest(buf: Buffer): ServiceRequest {
  const head = splitFields(buf, 5);
  const [magic, version, cwd, self, argc] = head.fields;
  if (magic !== SERVICE_MAGIC) throw new ProtocolError('bad magic');
  const argvPart = splitFields(buf, count(argc, 'argc'), head.end);
  const envc = splitFields(buf, 1, argvPart.end);
  const envPart = splitFields(buf, count(envc.fields[0], 'envc'), envc.end);
  const stdinLen = splitFields(buf, 1, envPart.end);
  const n = count(stdinLen.fields[0], 'stdin length');
  if (n > MAX_STDIN_BYTES || stdinLen.end + n !== buf.length) throw new ProtocolError('bad stdin length');
  const env: Record<string, string> = {};
  for (const e of envPart.fields) {
    const eq = e.indexOf('=');
    if (eq <= 0) throw new ProtocolError('bad env entry');
    env[e.slice(0, eq)] = e.slice(eq + 1);
  }
  return { version: count(version, 'version'), cwd: cwd as string, self: self as string, argv: argvPart.fields, env, stdin: buf.subarray(stdinLen.end) };
}

export function encodeResponse(r: ServiceResponse): Buffer {
  const argv = r.status === 'execv' ? (r.argv ?? []) : [];
  if (argv.length > MAX_EXEC_ARGS || argv.some((a) => a.includes('\0'))) throw new ProtocolError('an execv argv the launcher cannot take');
  const head = [SERVICE_MAGIC, String(SERVICE_PROTOCOL_VERSION), r.status, String(r.exit), r.runtime, r.aliasDir ?? '', String(argv.length), ...argv, String(r.stdout.length), String(r.stderr.length)];
  return Buffer.concat([Buffer.from(head.map((p) => `${p}\0`).join(''), 'utf8'), r.stdout, r.stderr]);
}

export function decodeResponse(buf: Buffer): ServiceResponse & { version: number } {
  const head = splitFields(buf, 7);
  const [magic, version, status, exit, runtime, aliasDir, argc] = head.fields;
  if (magic !== SERVICE_MAGIC) throw new ProtocolError('bad magic');
  if (status !== 'exec' && status !== 'execv' && status !== 'exit' && status !== 'node') throw new ProtocolError('bad status');
  const n = count(argc, 'argc');
  if (n > MAX_EXEC_ARGS || (n > 0 && status !== 'execv')) throw new ProtocolError('bad argc');
  const argvPart = splitFields(buf, n, head.end);
  const { fields, end } = splitFields(buf, 2, argvPart.end);
  const [outLen, errLen] = fields;
  const o = count(outLen, 'stdout length');
  const e = Number(errLen);
  if (!Number.isSafeInteger(e) || end + o + e !== buf.length) throw new ProtocolError('bad lengths');
  return {
    version: count(version, 'version'),
    status,
    exit: Number(exit),
    runtime: runtime as string,
    aliasDir: aliasDir as string,
    argv: argvPart.fields,
    stdout: buf.subarray(end, end + o),
    stderr: buf.subarray(end + o, end + o + e),
  };
}
