/**
 * `node dist/service-main.js [--dir DIR] [--idle-exit-s N] [--log-file PATH]`: the resident
 * openclaw service (server.ts). Started on demand by the Node path (client.ts startService,
 * which passes `--log-file <dir>/service.log`) or by examples/openclaw-service.service (its log
 * then goes to stderr, the journal). Runs on process.execPath, the Node the addon was built for.
 * Its log: JSON lines, rotated (daemon-log.ts). SIGHUP drops its caches (service/server.ts reload).
 */
import { parseCommandArgs } from './cli/command-args.js';
import { SERVICE_SPEC } from './commands/specs.js';
import { DaemonLog, formatLogLine } from './daemon-log.js';
import { ServiceServer } from './service/server.js';
import { serviceDir } from './service/paths.js';

let flags: { dir?: string; 'idle-exit-s'?: string; 'log-file'?: string };
try {
  const parsed = parseCommandArgs(SERVICE_SPEC, process.argv.slice(2));
  if (parsed.help) {
    process.stdout.write(parsed.text);
    process.exit(0);
  }
  flags = parsed.values;
} catch (err) {
  process.stderr.write(formatLogLine('error', (err as Error).message, { daemon: 'service', pid: process.pid }));
  process.exit(1);
}

const dir = flags.dir ?? serviceDir();
// Requests carry their own cwd and env; the service's own must not matter and must not pin a
// directory (a cwd on a mount keeps it busy).
process.chdir('/');
const idle = Number(flags['idle-exit-s'] ?? '0');
const logFile = flags['log-file'];
const log = new DaemonLog({ daemon: 'service', file: logFile?.startsWith('/') ? logFile : undefined });
const exit = (code: number): void => {
  void log.flush().finally(() => process.exit(code));
};
const server = new ServiceServer({
  dir,
  idleExitMs: Number.isFinite(idle) && idle > 0 ? idle * 1000 : 0,
  log: (level, msg, fields) => log.log(level, msg, fields),
  onExit: () => exit(0),
});
// Handlers first: a SIGTERM (systemctl stop) that arrives once the socket exists must find them.
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.once(sig, () => {
    server.stop();
    exit(0);
  });
}
process.on('SIGHUP', () => server.reload());
try {
  server.start();
} catch (err) {
  log.log('error', (err as Error).message);
  exit(1);
}
