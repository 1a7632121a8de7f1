/**
 * `node dist/service-main.js [--dir DIR] [--idle-exit-s N]`: the resident openclaw service
 * (server.ts). Started on demand by the Node path (client.ts startService) or by
 * examples/openclaw-service.service. Runs on process.execPath, the Node the addon was built for.
 */
import { commandSpec, parseCommandArgs } from './cli/command-args.js';
import { ServiceServer } from './service/server.js';
import { serviceDir } from './service/paths.js';

const SERVICE_SPEC = commandSpec({
  name: 'service',
  invocation: 'node dist/service-main.js',
  summary: 'the resident openclaw service: answers the native launcher\'s create, run, delete, features and hook calls',
  positionals: { min: 0, max: 0 },
  options: {
    dir: { type: 'string', value: 'DIR', help: 'its directory: socket, lock, records (default: $OPENCLAW_SERVICE_DIR, else one per package under /run/openclaw/service)' },
    'idle-exit-s': { type: 'string', value: 'SECONDS', help: 'exit after this long without a request (default 0: never)' },
  },
});

let flags: { dir?: string; 'idle-exit-s'?: string };
try {
  const parsed = parseCommandArgs(SERVICE_SPEC, process.argv.slice(2));
  if (parsed.help) {
    process.stdout.write(parsed.text);
    process.exit(0);
  }
  flags = parsed.values;
} catch (err) {
  process.stderr.write(`openclaw-service error: ${(err as Error).message}\n`);
  process.exit(1);
}

const dir = flags.dir ?? serviceDir();
// Requests carry their own cwd and env; the service's own must not matter and must not pin a
// directory (a cwd on a mount keeps it busy).
process.chdir('/');
const idle = Number(flags['idle-exit-s'] ?? '0');
const server = new ServiceServer({
  dir,
  idleExitMs: Number.isFinite(idle) && idle > 0 ? idle * 1000 : 0,
  onExit: () => process.exit(0),
});
// Handlers first: a SIGTERM (systemctl stop) that arrives once the socket exists must find them.
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.once(sig, () => {
    server.stop();
    process.exit(0);
  });
}
try {
  server.start();
} catch (err) {
  process.stderr.write(`openclaw-service error: ${(err as Error).message}\n`);
  process.exit(1);
}
